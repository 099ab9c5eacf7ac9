import mqtt, { type MqttClient } from 'mqtt';
import type { GatewayConfig } from './config';
import type { SignedBatch } from './signing';

export interface PushOutcome {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Delivers one signed batch and resolves only when the platform confirmed it committed the batch
 * (GraphQL answer, or the ingest worker's application ack over MQTT). Throws otherwise: the batch
 * stays in the journal and is sent again later, which is harmless because ingestion is idempotent.
 */
export interface Pusher {
  push(batch: SignedBatch): Promise<PushOutcome | null>;
  close(): Promise<void>;
}

export class PermanentPushError extends Error {}

export const INGEST_SIGNED_MUTATION = `mutation IngestSigned($batch: SignedReadingBatchInput!) {
  ingestSignedReadings(batch: $batch) { accepted duplicates rejected }
}`;

export type PushSettings = Pick<GatewayConfig, 'device' | 'push'>;

export function graphqlPusher(cfg: PushSettings): Pusher {
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

/**
 * Application-level acknowledgement published by the platform's MQTT ingest worker
 * (api/src/modules/metering/mqtt-worker.ts `publishAck`) on `opencep/<enterprise>/<device>/acks`
 * after the batch's transaction committed. Only a batch whose signature verified is acknowledged.
 */
export interface IngestAck {
  batchId: string;
  status: 'committed';
  accepted: number;
  duplicates: number;
  rejected: number;
}

export const readingsTopic = (enterpriseId: string, deviceId: string) =>
  `opencep/${enterpriseId}/${deviceId}/readings`;
export const acksTopic = (enterpriseId: string, deviceId: string) =>
  `opencep/${enterpriseId}/${deviceId}/acks`;

export function parseAck(payload: Buffer): IngestAck | null {
  try {
    const a = JSON.parse(payload.toString('utf8')) as Partial<IngestAck> | null;
    if (!a || typeof a.batchId !== 'string' || a.status !== 'committed') return null;
    return {
      batchId: a.batchId,
      status: 'committed',
      accepted: Number(a.accepted ?? 0),
      duplicates: Number(a.duplicates ?? 0),
      rejected: Number(a.rejected ?? 0),
    };
  } catch {
    return null;
  }
}

/**
 * MQTT uplink. The broker's PUBACK only means "the broker has it", and a broker does not always
 * redeliver a message that was in flight to a shared-subscription member killed at that moment. So a
 * batch counts as delivered only when the ingest worker's ack for its batch id arrives on the device's
 * `acks` topic; until then (timeout) `push` throws and the batch stays in the journal.
 */
export function mqttPusher(cfg: PushSettings): Pusher {
  const topic = readingsTopic(cfg.device.enterpriseId, cfg.device.deviceId);
  const ackTopic = acksTopic(cfg.device.enterpriseId, cfg.device.deviceId);
  const waiting = new Map<string, (a: IngestAck) => void>();
  let subscribed = false;
  const client: MqttClient = mqtt.connect(cfg.push.url, {
    protocolVersion: 5,
    clientId: `opencep-gw-${cfg.device.deviceId.slice(0, 8)}-${process.pid}-${Math.random().toString(16).slice(2, 6)}`,
    reconnectPeriod: 1000,
    connectTimeout: 3000,
    queueQoSZero: false,
    // the journal re-sends whatever was not acknowledged, so no broker session is needed; the ack
    // subscription is renewed on every connect below (and a push waits until it is in place)
    clean: true,
    resubscribe: false,
  });
  client.on('error', () => undefined);
  client.on('close', () => {
    subscribed = false;
  });
  client.on('connect', () => {
    subscribed = false;
    client.subscribe(ackTopic, { qos: 1 }, (err) => {
      if (!err) subscribed = true;
    });
  });
  client.on('message', (t, payload) => {
    if (t !== ackTopic) return;
    const ack = parseAck(payload);
    if (ack) waiting.get(ack.batchId)?.(ack);
  });
  return {
    push(batch) {
      return new Promise((resolve, reject) => {
        // never lean on the client's in-memory offline queue: the journal is the buffer
        if (!client.connected || !subscribed) return reject(new Error('mqtt broker unreachable'));
        const done = (err: Error | null, ack?: IngestAck) => {
          clearTimeout(timer);
          if (waiting.get(batch.batchId) === onAck) waiting.delete(batch.batchId);
          if (err) reject(err);
          else resolve({ accepted: ack!.accepted, duplicates: ack!.duplicates, rejected: ack!.rejected });
        };
        const onAck = (a: IngestAck) => done(null, a);
        const timer = setTimeout(
          () => done(new Error(`batch ${batch.batchId} not acknowledged by the platform in time`)),
          cfg.push.timeoutMs,
        );
        waiting.set(batch.batchId, onAck);
        client.publish(topic, JSON.stringify(batch), { qos: 1 }, (err) => {
          if (err) done(err);
        });
      });
    },
    close: () => new Promise<void>((res) => client.end(true, {}, () => res())),
  };
}
