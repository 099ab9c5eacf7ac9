import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export interface GatewayReading {
  meterCode: string;
  ts: string;
  value: string;
  unit: string;
}

/** What travels over MQTT and GraphQL. The signature covers the canonical JSON (RFC 8785) of the rest. */
export interface SignedBatch {
  batchId: string;
  deviceAddress: string;
  readings: GatewayReading[];
  signature: string;
}

export function signingPayload(b: Omit<SignedBatch, 'signature'>): Uint8Array {
  const text = canonicalize({ batchId: b.batchId, deviceAddress: b.deviceAddress, readings: b.readings });
  if (text === undefined) throw new Error('batch cannot be canonicalised');
  return new TextEncoder().encode(text);
}

/** Content-addressed batch id: a retried batch keeps its id, a different batch never reuses one. */
export function batchIdFor(deviceAddress: string, readings: GatewayReading[]): string {
  const h = createHash('sha256').update(deviceAddress).update(JSON.stringify(readings)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function deviceSigner(privateKey: Hex) {
  const account = privateKeyToAccount(privateKey);
  return {
    address: account.address.toLowerCase(),
    async sign(readings: GatewayReading[]): Promise<SignedBatch> {
      const body = {
        batchId: batchIdFor(account.address.toLowerCase(), readings),
        deviceAddress: account.address.toLowerCase(),
        readings,
      };
      const signature = await account.signMessage({ message: { raw: signingPayload(body) } });
      return { ...body, signature };
    },
  };
}
