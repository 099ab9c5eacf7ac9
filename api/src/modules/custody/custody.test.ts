import { generatePrivateKey } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { openKey, sealKey } from './custody.crypto';
import { quotaGrams } from './custody.amount';

const SECRET = 'unit-secret-unit-secret-unit-secret-0001';
const USER = '6f0c5c6e-2d0a-4a35-9d5e-111111111111';

describe('custody crypto', () => {
  it('seals a key so that only the same secret and user id open it, and any altered byte is refused', () => {
    const key = generatePrivateKey();
    const sealed = sealKey(key, SECRET, USER);
    expect(sealed.ciphertext).toHaveLength(32);
    expect(sealed.ciphertext.toString('hex')).not.toBe(key.slice(2));
    expect(openKey(sealed, SECRET, USER)).toBe(key);
    expect(() => openKey(sealed, `${SECRET}!`, USER)).toThrow();
    expect(() => openKey(sealed, SECRET, USER.replace('1111', '2222'))).toThrow();
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openKey({ ...sealed, ciphertext: flipped }, SECRET, USER)).toThrow();
    // a fresh IV each time: sealing twice never yields the same ciphertext
    expect(sealKey(key, SECRET, USER).ciphertext.equals(sealed.ciphertext)).toBe(false);
  });

  it('refuses what is not a 32-byte key', () => {
    expect(() => sealKey('0x1234', SECRET, USER)).toThrow(/private key/);
  });
});

describe('quotaGrams', () => {
  it('converts tCO2e to gCO2e exactly and refuses bad amounts', () => {
    expect(quotaGrams('1000.5')).toBe(1_000_500_000n);
    expect(quotaGrams('0.000001')).toBe(1n);
    expect(quotaGrams(' 120000 ')).toBe(120_000_000_000n);
    for (const bad of ['0', '-1', '1.0000001', 'abc', '', 'Infinity', '1e40'])
      expect(() => quotaGrams(bad), bad).toThrow(/Invalid amount/);
  });
});

describe('configureCustody', () => {
  it('refuses a key-encryption secret shorter than 32 characters', async () => {
    const { configureCustody, custodySettings } = await import('./custody.config');
    expect(() => configureCustody({ encryptionSecret: 'short' })).toThrow(/at least 32/);
    configureCustody({ encryptionSecret: SECRET });
    expect(custodySettings().encryptionSecret).toBe(SECRET);
    configureCustody({});
    expect(custodySettings().encryptionSecret).toBeUndefined();
  });
});
