import type { DataSource } from 'typeorm';
import { verifyDeviceSignature } from '../identity/device-auth';
import { INGEST_ERROR_MESSAGES } from './metering.errors';
import { type IngestResult, ingest, type MeteringContext, type Transport } from './metering.service';

/**
 * Wire form of a device batch (gateway/src/signing.ts builds it). The device signs the RFC 8785
 * canonical JSON of `{ batchId, deviceAddress, readings }` with EIP-191 (viem signMessage, raw bytes).
 */
export interface SignedBatchEnvelope {
  batchId: string;
  deviceAddress: string;
  readings: unknown[];
  signature: string;
}

export function isEnvelope(x: unknown): x is SignedBatchEnvelope {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.batchId === 'string' &&
    typeof e.deviceAddress === 'string' &&
    typeof e.signature === 'string' &&
    Array.isArray(e.readings)
  );
}

export interface DeviceRow {
  id: string;
  enterpriseId: string;
}

/** Active device by its key address (system lookup: the caller is not yet authenticated). */
export async function deviceByAddress(ds: DataSource, address: string): Promise<DeviceRow | null> {
  const rows = (await ds.query(
    'SELECT id, enterprise_id FROM devices WHERE address = $1 AND revoked_at IS NULL',
    [address.toLowerCase()],
  )) as { id: string; enterprise_id: string }[];
  return rows[0] ? { id: rows[0].id, enterpriseId: rows[0].enterprise_id } : null;
}

export type SignedIngestOutcome =
  | { ok: true; device: DeviceRow; result: IngestResult }
  | { ok: false; reason: 'BAD_SIGNATURE' | 'DEVICE_MISMATCH'; result: IngestResult };

function allRejected(env: SignedBatchEnvelope, code: 'BAD_SIGNATURE'): IngestResult {
  return {
    batchId: env.batchId,
    accepted: 0,
    duplicates: 0,
    rejected: env.readings.length,
    items: env.readings.map((_, index) => ({
      index,
      status: 'REJECTED' as const,
      code,
      message: INGEST_ERROR_MESSAGES[code],
    })),
  };
}

/**
 * Verifies a signed device batch and ingests it as that device's enterprise. A bad signature (or a
 * device that does not match the MQTT topic) rejects every item with BAD_SIGNATURE; nothing is stored.
 * Retries are harmless: the batch id makes a re-sent batch a DUPLICATE, a reused id a BATCH_REPLAYED.
 */
export async function ingestSigned(
  ctx: MeteringContext,
  env: SignedBatchEnvelope,
  transport: Transport,
  expect: { enterpriseId?: string; deviceId?: string } = {},
): Promise<SignedIngestOutcome> {
  const device = await deviceByAddress(ctx.db, env.deviceAddress);
  const payload = { batchId: env.batchId, deviceAddress: env.deviceAddress, readings: env.readings };
  if (!device || !(await verifyDeviceSignature(env.deviceAddress, payload, env.signature))) {
    return { ok: false, reason: 'BAD_SIGNATURE', result: allRejected(env, 'BAD_SIGNATURE') };
  }
  if (
    (expect.enterpriseId && expect.enterpriseId !== device.enterpriseId) ||
    (expect.deviceId && expect.deviceId !== device.id)
  ) {
    return { ok: false, reason: 'DEVICE_MISMATCH', result: allRejected(env, 'BAD_SIGNATURE') };
  }
  const result = await ingest(ctx, {
    enterpriseId: device.enterpriseId,
    batchId: env.batchId,
    deviceId: device.id,
    source: 'device',
    transport,
    readings: env.readings,
  });
  return { ok: true, device, result };
}
