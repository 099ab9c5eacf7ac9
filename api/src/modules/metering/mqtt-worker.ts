import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DataSource } from 'typeorm';
import { withSystem } from '../../core/db';
import { ingestSigned, isEnvelope } from './device-ingest';
import type { DeadLetterReason } from './metering.errors';
import type { LiveUpdates } from './metering.service';

/** MQTT 5 shared subscription: every worker in the group gets a share of the device traffic. */
export const INGEST_SHARE_TOPIC = '$share/opencep-ingest/opencep/+/+/readings';
export const shareTopic = (group: string) => `$share/${group}/opencep/+/+/readings`;
const TOPIC_RE = /^opencep\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/readings$/i;
const MAX_PAYLOAD = 8 * 1024 * 1024;

export interface IngestWorkerOptions {
  ds: DataSource;
  url: string;
  clientId?: string;
  /** shared-subscription group (default opencep-ingest); tests use their own */
  group?: string;
  live?: LiveUpdates;
  /** Called after each message is handled (tests, metrics). */
  onHandled?: (e: {
    topic: string;
    accepted: number;
    duplicates: number;
    rejected: number;
    deadLetter?: string;
  }) => void;
}

export interface IngestWorker {
  client: MqttClient;
  stop(): Promise<void>;
}

export async function deadLetter(
  ds: DataSource,
  d: {
    enterpriseId: string | null;
    topic: string | null;
    payload: Buffer;
    reason: DeadLetterReason | 'ITEMS_REJECTED';
    detail?: string;
  },
): Promise<void> {
  await withSystem(ds, (em) =>
    em.query(
      `INSERT INTO metering_dead_letter (enterprise_id, transport, topic, payload, reason, detail)
       VALUES ($1, 'mqtt', $2, $3, $4, $5)`,
      [d.enterpriseId, d.topic, d.payload, d.reason, d.detail ?? null],
    ),
  );
}

/**
 * Subscribes to device readings and feeds them into the one ingest pipeline. The PUBACK is sent
 * only after the batch has committed (or was dead-lettered), so a crash before that leaves the
 * message with the broker. Messages are handled one at a time per worker; run more workers to
 * scale out — the shared subscription spreads messages over them.
 */
export async function startIngestWorker(opts: IngestWorkerOptions): Promise<IngestWorker> {
  const queue: (() => Promise<void>)[] = [];
  let running = false;
  const pump = async () => {
    if (running) return;
    running = true;
    while (queue.length) await queue.shift()!().catch(() => undefined);
    running = false;
  };

  const handle = async (topic: string, payload: Buffer): Promise<void> => {
    const m = TOPIC_RE.exec(topic);
    const enterpriseId = m ? m[1]!.toLowerCase() : null;
    const report = (accepted: number, duplicates: number, rejected: number, dl?: string) =>
      opts.onHandled?.({ topic, accepted, duplicates, rejected, deadLetter: dl });
    if (!m) {
      await deadLetter(opts.ds, { enterpriseId: null, topic, payload, reason: 'BAD_TOPIC' });
      return report(0, 0, 0, 'BAD_TOPIC');
    }
    let body: unknown;
    try {
      if (payload.length > MAX_PAYLOAD) throw new Error('payload too large');
      body = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      await deadLetter(opts.ds, { enterpriseId, topic, payload, reason: 'NOT_JSON', detail: String(e) });
      return report(0, 0, 0, 'NOT_JSON');
    }
    if (!isEnvelope(body)) {
      await deadLetter(opts.ds, {
        enterpriseId,
        topic,
        payload,
        reason: 'BAD_ENVELOPE',
        detail: 'expected { batchId, deviceAddress, readings[], signature }',
      });
      return report(0, 0, 0, 'BAD_ENVELOPE');
    }
    try {
      const out = await ingestSigned({ db: opts.ds, live: opts.live }, body, 'mqtt', {
        enterpriseId: m[1]!.toLowerCase(),
        deviceId: m[2]!.toLowerCase(),
      });
      const r = out.result;
      if (!out.ok) {
        await deadLetter(opts.ds, {
          enterpriseId,
          topic,
          payload,
          reason: 'BAD_SIGNATURE',
          detail: out.reason,
        });
        return report(0, 0, r.rejected, 'BAD_SIGNATURE');
      }
      if (r.rejected) {
        // no reply channel over MQTT: rejected items are kept with their codes, never dropped silently
        const rejected = r.items
          .filter((i) => i.status === 'REJECTED')
          .map((i) => ({ index: i.index, code: i.code }));
        await deadLetter(opts.ds, {
          enterpriseId,
          topic,
          payload,
          reason: 'ITEMS_REJECTED',
          detail: JSON.stringify(rejected.slice(0, 1000)),
        });
      }
      report(r.accepted, r.duplicates, r.rejected);
    } catch (e) {
      await deadLetter(opts.ds, { enterpriseId, topic, payload, reason: 'INGEST_FAILED', detail: String(e) });
      report(0, 0, 0, 'INGEST_FAILED');
    }
  };

  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: opts.clientId ?? `opencep-ingest-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    // A stable clientId gets a persistent session (MQTT 5 session expiry): QoS 1 messages in flight at a
    // crash are redelivered when the worker reconnects under the same id (found by scripts/fault-suite.ts).
    clean: opts.clientId === undefined,
    ...(opts.clientId ? { properties: { sessionExpiryInterval: 3600 } } : {}),
    reconnectPeriod: 1000,
    customHandleAcks: (topic, message, _packet, done) => {
      queue.push(() => handle(topic, message).finally(() => done(0)));
      void pump();
    },
  };
  const client = await mqtt.connectAsync(opts.url, options);
  await client.subscribeAsync(opts.group ? shareTopic(opts.group) : INGEST_SHARE_TOPIC, { qos: 1 });
  return {
    client,
    async stop() {
      await client.endAsync();
      while (running || queue.length) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
