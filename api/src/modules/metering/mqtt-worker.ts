import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DataSource } from 'typeorm';
import { withSystem } from '../../core/db';
import { ingestSigned, isEnvelope } from './device-ingest';
import type { DeadLetterReason } from './metering.errors';
import type { LiveUpdates } from './metering.service';

/** MQTT 5 shared subscription: every worker in the group gets a share of the device traffic. */
export const INGEST_SHARE_TOPIC = '$share/opencep-ingest/opencep/+/+/readings';
export const shareTopic = (group: string, filter = 'opencep/+/+/readings') => `$share/${group}/${filter}`;
const FILTER_RE =
  /^opencep\/(\+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(\+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/readings$/i;
/** Where the worker acknowledges a committed batch to its device (gateway/src/push.ts `mqttPusher`). */
export const ackTopic = (enterpriseId: string, deviceId: string) =>
  `opencep/${enterpriseId}/${deviceId}/acks`;

/**
 * Application-level acknowledgement, published (QoS 1) only after the batch's transaction committed
 * and only for a batch whose device signature verified — a forged message can never make a gateway
 * drop a genuine batch. The gateway keeps a batch in its journal until this arrives and re-sends it
 * otherwise; a re-sent batch is answered DUPLICATE (same content-derived batch id) and acknowledged again.
 */
export interface IngestAck {
  batchId: string;
  status: 'committed';
  accepted: number;
  duplicates: number;
  rejected: number;
}
const TOPIC_RE = /^opencep\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/readings$/i;
const MAX_PAYLOAD = 8 * 1024 * 1024;

export interface IngestWorkerOptions {
  ds: DataSource;
  url: string;
  clientId?: string;
  /** shared-subscription group (default opencep-ingest); tests use their own */
  group?: string;
  /**
   * Which device topics this worker takes (default every device: `opencep/+/+/readings`). Narrow it
   * to one enterprise or device (`opencep/<enterprise>/<device>/readings`) to shard by tenant — and in
   * tests, so that other tests publishing on the same broker do not reach this worker.
   */
  topicFilter?: string;
  /**
   * MQTT 5 session expiry in seconds (default 0: clean start, the session ends with the connection).
   * A persistent session is NOT recommended for a shared-subscription member: while it is away (a
   * crash, a slow restart) Mosquitto keeps routing its share of the group's messages into the
   * offline session's queue, so those batches wait until the member comes back (up to the expiry).
   * With a clean session a dead member leaves the group when its TCP connection drops and the
   * gateways' re-sends go to the live members. Durability does not depend on it either way.
   */
  sessionExpirySeconds?: number;
  live?: LiveUpdates;
  /** Called after each message is handled (tests, metrics). */
  onHandled?: (e: {
    topic: string;
    accepted: number;
    duplicates: number;
    rejected: number;
    deadLetter?: string;
    /** the application ack published to the device (absent: the gateway will re-send) */
    ack?: IngestAck;
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
 * Subscribes to device readings and feeds them into the one ingest pipeline. After the batch has
 * committed the worker publishes an application ack (IngestAck) to the device's `acks` topic, then
 * sends the PUBACK. Durability rests on the ack, not on the broker: a message lost with a killed
 * worker is re-sent by the gateway, which keeps the batch in its journal until the ack arrives.
 * Messages are handled one at a time per worker; run more workers to scale out — the shared
 * subscription spreads messages over them.
 */
export async function startIngestWorker(opts: IngestWorkerOptions): Promise<IngestWorker> {
  if (opts.topicFilter !== undefined && !FILTER_RE.test(opts.topicFilter))
    throw new Error(
      `topicFilter must look like opencep/<enterprise|+>/<device|+>/readings: ${opts.topicFilter}`,
    );
  if (opts.sessionExpirySeconds && !opts.clientId)
    throw new Error('a persistent MQTT session (sessionExpirySeconds) needs a stable clientId');
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
    const report = (accepted: number, duplicates: number, rejected: number, dl?: string, ack?: IngestAck) =>
      opts.onHandled?.({ topic, accepted, duplicates, rejected, deadLetter: dl, ack });
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
      // committed (and the rejected items are kept in the dead-letter table): tell the gateway
      const ack: IngestAck = {
        batchId: body.batchId,
        status: 'committed',
        accepted: r.accepted,
        duplicates: r.duplicates,
        rejected: r.rejected,
      };
      publishAck(ackTopic(out.device.enterpriseId, out.device.id), ack);
      report(r.accepted, r.duplicates, r.rejected, undefined, ack);
    } catch (e) {
      // Not committed (database down, serialization failure, …): no ack, so the gateway re-sends the
      // batch later. Recorded for the operator if the database takes it; never fatal for the worker.
      await deadLetter(opts.ds, {
        enterpriseId,
        topic,
        payload,
        reason: 'INGEST_FAILED',
        detail: String(e),
      }).catch(() => undefined);
      report(0, 0, 0, 'INGEST_FAILED');
    }
  };

  let client: MqttClient | null = null;
  /**
   * QoS 1, not awaited (the queue must not wait for the broker's PUBACK of the ack); while the broker
   * is away the client's outgoing store keeps it. A lost ack only costs a re-send, answered DUPLICATE.
   */
  const publishAck = (topic: string, ack: IngestAck): void => {
    client?.publish(topic, JSON.stringify(ack), { qos: 1 }, () => undefined);
  };

  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: opts.clientId ?? `opencep-ingest-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    // Clean start unless a session expiry is asked for (see sessionExpirySeconds); a persistent session
    // also needs a stable clientId. Durability rests on the application ack either way: the gateway
    // re-sends every batch this worker has not acknowledged (measured: scripts/fault-suite.ts).
    clean: !opts.sessionExpirySeconds,
    ...(opts.sessionExpirySeconds
      ? { properties: { sessionExpiryInterval: opts.sessionExpirySeconds } }
      : {}),
    reconnectPeriod: 1000,
    // PUBACK by hand, after the batch committed (or was dead-lettered)
    customHandleAcks: (topic, message, _packet, done) => {
      queue.push(() => handle(topic, message).finally(() => done(0)));
      void pump();
    },
  };
  const c = await mqtt.connectAsync(opts.url, options);
  client = c;
  await c.subscribeAsync(
    opts.group || opts.topicFilter
      ? shareTopic(opts.group ?? 'opencep-ingest', opts.topicFilter)
      : INGEST_SHARE_TOPIC,
    { qos: 1 },
  );
  return {
    client: c,
    async stop() {
      await c.endAsync();
      while (running || queue.length) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
