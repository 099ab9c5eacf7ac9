import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust (DESIGN §5, docs/trust.md): committed batches (Merkle roots) with their leaves (salt, proof
 * as anchored, reference to the committed row), the durable anchoring queue with every broadcast
 * transaction, per-signer nonces, the batcher's watermark, and tamper-check runs and alarms.
 */
export class Trust1796016700000 implements MigrationInterface {
  name = 'Trust1796016700000';

  async up(q: QueryRunner): Promise<void> {
    // One batch = one tree = one anchor. seq > 0 marks a late-data batch of an already batched
    // period; it names the batch it follows (previous_batch_id / previous_root).
    await q.query(`
      CREATE TABLE trust_batch (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('readings','inventory')),
        scope text NOT NULL DEFAULT '',
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end >= period_start),
        seq integer NOT NULL CHECK (seq >= 0),
        previous_batch_id uuid NULL,
        previous_root bytea NULL,
        root bytea NOT NULL CHECK (octet_length(root) = 32),
        leaf_count integer NOT NULL CHECK (leaf_count > 0),
        standard_ref bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex') CHECK (octet_length(standard_ref) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        UNIQUE (root),
        UNIQUE (enterprise_id, kind, scope, period_start, seq),
        FOREIGN KEY (enterprise_id, previous_batch_id) REFERENCES trust_batch (enterprise_id, id)
      )`);

    // Leaves: the salt and the proof as built at commit time. Reading leaves point at the raw
    // reading row (the tamper job recomputes from it); inventory-line leaves carry the committed
    // line in line_data (the accounting tables are recomputable, the commitment is not).
    await q.query(`
      CREATE TABLE trust_leaf (
        enterprise_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        leaf_index integer NOT NULL CHECK (leaf_index >= 0),
        leaf bytea NOT NULL CHECK (octet_length(leaf) = 32),
        salt bytea NOT NULL CHECK (octet_length(salt) = 32),
        proof bytea NOT NULL CHECK (octet_length(proof) % 32 = 0),
        meter_id uuid NULL,
        ts timestamptz NULL,
        source text NULL,
        line_data jsonb NULL,
        PRIMARY KEY (enterprise_id, batch_id, leaf_index),
        FOREIGN KEY (enterprise_id, batch_id) REFERENCES trust_batch (enterprise_id, id),
        CHECK ((meter_id IS NOT NULL AND ts IS NOT NULL AND source IS NOT NULL AND line_data IS NULL)
            OR (meter_id IS NULL AND ts IS NULL AND source IS NULL AND line_data IS NOT NULL))
      )`);
    // A reading is committed exactly once (the batcher's anti-join and its safety net).
    await q.query(`CREATE UNIQUE INDEX trust_leaf_reading_uq ON trust_leaf (enterprise_id, meter_id, ts, source)
      WHERE meter_id IS NOT NULL`);
    await q.query(`CREATE INDEX trust_leaf_line_idx ON trust_leaf (enterprise_id, (line_data->>'inventory'), (line_data->>'line'))
      WHERE line_data IS NOT NULL`);

    // The durable anchoring queue: one row per batch, pending → sent → confirmed | failed.
    await q.query(`
      CREATE TABLE trust_anchor (
        enterprise_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        root bytea NOT NULL UNIQUE,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','confirmed','failed')),
        attempts integer NOT NULL DEFAULT 0,
        chain_id integer NULL,
        registry text NULL,
        signer text NULL,
        nonce bigint NULL,
        tx_hash text NULL,
        block_number bigint NULL,
        max_fee_per_gas numeric NULL,
        max_priority_fee_per_gas numeric NULL,
        sent_at timestamptz NULL,
        confirmed_at timestamptz NULL,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_by text NULL,
        locked_until timestamptz NULL,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, batch_id),
        FOREIGN KEY (enterprise_id, batch_id) REFERENCES trust_batch (enterprise_id, id)
      )`);
    await q.query(
      `CREATE INDEX trust_anchor_due_idx ON trust_anchor (next_attempt_at) WHERE state IN ('pending','sent')`,
    );

    // Every signed transaction broadcast for an anchor (replacements share the nonce), kept with
    // its raw bytes so a crashed worker can rebroadcast exactly what it recorded.
    await q.query(`
      CREATE TABLE trust_anchor_tx (
        tx_hash text PRIMARY KEY,
        enterprise_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        nonce bigint NOT NULL,
        max_fee_per_gas numeric NOT NULL,
        max_priority_fee_per_gas numeric NOT NULL,
        raw_tx text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (enterprise_id, batch_id) REFERENCES trust_anchor (enterprise_id, batch_id)
      )`);
    await q.query(`CREATE INDEX trust_anchor_tx_batch_idx ON trust_anchor_tx (enterprise_id, batch_id)`);

    // Next nonce per signer, allocated under a row lock (system tables: no tenant access).
    await q.query(`
      CREATE TABLE trust_nonce (
        chain_id integer NOT NULL,
        address text NOT NULL,
        next_nonce bigint NOT NULL,
        PRIMARY KEY (chain_id, address)
      )`);
    await q.query(`
      CREATE TABLE trust_cursor (
        name text PRIMARY KEY,
        received_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE trust_tamper_run (
        id bigserial PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz NULL,
        batches_checked integer NOT NULL DEFAULT 0,
        leaves_checked bigint NOT NULL DEFAULT 0,
        alarms_raised integer NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE trust_tamper_alarm (
        id bigserial PRIMARY KEY,
        enterprise_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        leaf_index integer NULL,
        kind text NOT NULL CHECK (kind IN ('root_mismatch','leaf_mismatch','row_missing','leaf_count_mismatch',
          'chain_root_missing','chain_root_mismatch')),
        detail jsonb NOT NULL DEFAULT '{}',
        run_id bigint NULL REFERENCES trust_tamper_run (id),
        detected_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz NULL,
        FOREIGN KEY (enterprise_id, batch_id) REFERENCES trust_batch (enterprise_id, id)
      )`);
    // One open alarm per (batch, row, kind): re-runs do not duplicate.
    await q.query(`CREATE UNIQUE INDEX trust_tamper_alarm_open_uq
      ON trust_tamper_alarm (enterprise_id, batch_id, coalesce(leaf_index, -1), kind) WHERE resolved_at IS NULL`);

    for (const t of ['trust_batch', 'trust_leaf', 'trust_anchor', 'trust_anchor_tx', 'trust_tamper_alarm']) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    await q.query(`REVOKE ALL ON trust_nonce, trust_cursor, trust_tamper_run FROM opencep_app`);
    await q.query(`GRANT SELECT ON trust_tamper_run TO opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trust_tamper_alarm, trust_tamper_run, trust_cursor, trust_nonce, trust_anchor_tx,
      trust_anchor, trust_leaf, trust_batch`);
  }
}
