import mqtt, { type MqttClient } from 'mqtt';
import type { GatewayConfig } from './config';
import type { SignedBatch } from './signing';

export interface PushOutcome {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** Delivers one signed batch. Throws when delivery is not confirmed (the batch stays buffered). */
export interface Pusher {
  push(batch: SignedBatch): Promise<PushOutcome | null>;
  close(): Promise<void>;
}

export class PermanentPushError extends Error {}

export const INGEST_SIGNED_MUTATION = `mutation IngestSigned($batch: SignedReadingBatchInput!) {
  ingestSignedReadings(batch: $batch) { accepted duplicates rejected }
}`;

export function graphqlPusher(cfg: GatewayConfig): Pusher {
  return {
    async push(batch) {
      const res = await fetch(cfg.push.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: INGEST_SIGNED_MUTATION, variables: { batch } }),
        signal: AbortSignal.timeout(cfg.push.timeoutMs),
      });
      const body = (await res.json().catch(() => null)) as {
        data?: { ingestSignedReadings?: PushOutcome };
        errors?: { message: string; extensions?: { code?: string } }[];
      } | null;
      const out = body?.data?.ingestSignedReadings;
      if (out) return out;
      const code = body?.errors?.[0]?.extensions?.code;
      // input the server will never accept: keep it out of the retry loop (it is logged)
      if (code === 'BAD_USER_INPUT' || code === 'PAYLOAD_TOO_LARGE') {
        throw new PermanentPushError(body?.errors?.[0]?.message ?? code);
      }
      throw new Error(`ingest failed: HTTP ${res.status} ${body?.errors?.[0]?.message ?? ''}`);
    },
    close: async () => undefined,
  };
}

export function mqttPusher(cfg: GatewayConfig): Pusher {
  const topic = `opencep/${cfg.device.enterpriseId}/${cfg.device.deviceId}/readings`;
  const client: MqttClient = mqtt.connect(cfg.push.url, {
    protocolVersion: 5,
    clientId: `opencep-gw-${cfg.device.deviceId.slice(0, 8)}-${process.pid}`,
    reconnectPeriod: 1000,
    connectTimeout: 3000,
    queueQoSZero: false,
  });
  client.on('error', () => undefined);
  return {
    push(batch) {
      return new Promise((resolve, reject) => {
        // never lean on the client's in-memory offline queue: the journal is the buffer
        if (!client.connected) return reject(new Error('mqtt broker unreachable'));
        const timer = setTimeout(
          () => reject(new Error('mqtt publish not acknowledged')),
          cfg.push.timeoutMs,
        );
        client.publish(topic, JSON.stringify(batch), { qos: 1 }, (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(null);
        });
      });
    },
    close: () => new Promise<void>((res) => client.end(true, {}, () => res())),
  };
}
