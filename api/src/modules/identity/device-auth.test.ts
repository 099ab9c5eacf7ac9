import { hashMessage, verifyMessage } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { eip191Digest, signedBytes, verifyDeviceSignature } from './device-auth';

describe('device signature verification', () => {
  it('eip191Digest equals viem hashMessage for raw bytes of any length', () => {
    for (const text of ['', 'a', 'x'.repeat(135), 'x'.repeat(136), '€'.repeat(50_000)]) {
      const raw = new TextEncoder().encode(text);
      expect(eip191Digest(raw)).toBe(hashMessage({ raw }));
    }
  });

  it('accepts exactly what viem verifyMessage accepts', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const other = privateKeyToAccount(generatePrivateKey());
    const payload = {
      batchId: '00000000-0000-4000-8000-000000000001',
      deviceAddress: account.address.toLowerCase(),
      readings: Array.from({ length: 500 }, (_, i) => ({
        meterCode: `M-${i}`,
        ts: i,
        value: '1.5',
        unit: 'kWh',
      })),
    };
    const raw = signedBytes(payload);
    const sig = await account.signMessage({ message: { raw } });
    const cases: [string, string, unknown, boolean][] = [
      ['genuine', account.address, payload, true],
      ['genuine, lower-case address', account.address.toLowerCase(), payload, true],
      ['other device', other.address, payload, false],
      [
        'tampered payload',
        account.address,
        { ...payload, batchId: '00000000-0000-4000-8000-000000000002' },
        false,
      ],
    ];
    for (const [label, address, p, want] of cases) {
      const viemSays = await verifyMessage({
        address: address as `0x${string}`,
        message: { raw: signedBytes(p as Record<string, unknown>) },
        signature: sig,
      });
      expect(viemSays, label).toBe(want);
      expect(await verifyDeviceSignature(address, p as Record<string, unknown>, sig), label).toBe(want);
    }
    expect(await verifyDeviceSignature(account.address, payload, `0x${'00'.repeat(65)}`)).toBe(false);
    expect(await verifyDeviceSignature(account.address, payload, 'nope')).toBe(false);
    expect(await verifyDeviceSignature('not-an-address', payload, sig)).toBe(false);
  });
});
