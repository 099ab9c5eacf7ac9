import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event tables of the mirror: each row is one log, id = (chain_id, tx_hash, log_index). */
const EVENT_TABLES = [
  'standard_version',
  'standard_deprecation',
  'proposal_event',
  'vote',
  'member_event',
  'delegation',
  'delegate_votes',
  'participant_event',
  'role_event',
  'quota_event',
  'anchor',
  'anchor_supersession',
  'verifier_statement',
] as const;

/** Columns every event table starts with (the event id, where and when it happened). */
const EVENT_COLUMNS = `
  chain_id integer NOT NULL,
  tx_hash text NOT NULL,
  log_index integer NOT NULL,
  block_number bigint NOT NULL,
  block_timestamp timestamptz NOT NULL,
  address text NOT NULL`;

/**
 * The indexer's chain mirror (indexer/, DESIGN §2): raw logs, recent block hashes for reorg
 * detection, the exactly-once checkpoint, one typed table per OpenCEP event family, derived state
 * (proposals with tallies, current quotas) and the query helpers (confirmed-only views,
 * `chain.active_standard_version`). Every mirror table carries `block_number` so a reorg rolls back
 * with `DELETE ... WHERE block_number > ancestor`; derived tables are recomputed from event tables.
 * Hashes and addresses are lowercase 0x-hex text; uint256 values are numeric.
 */
export class ChainMirror1796016437764 implements MigrationInterface {
  name = 'ChainMirror1796016437764';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS chain`);
    await q.query(`
      CREATE TABLE chain.meta (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        chain_id integer NOT NULL,
        genesis_hash text NOT NULL,
        deployment_block bigint NOT NULL,
        samples jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chain.checkpoint (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        chain_id integer NOT NULL,
        block_number bigint NOT NULL,
        block_hash text NOT NULL,
        block_timestamp timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chain.indexer_status (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        chain_id integer,
        phase text NOT NULL DEFAULT 'starting',
        head_block bigint,
        head_timestamp timestamptz,
        checkpoint_block bigint,
        finality_depth integer NOT NULL DEFAULT 0,
        lag_blocks bigint,
        lag_seconds numeric,
        events_total bigint NOT NULL DEFAULT 0,
        events_per_second numeric NOT NULL DEFAULT 0,
        reorgs_total integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chain.block (
        chain_id integer NOT NULL,
        block_number bigint NOT NULL,
        block_hash text NOT NULL,
        parent_hash text NOT NULL,
        block_timestamp timestamptz NOT NULL,
        log_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (chain_id, block_number)
      )`);
    await q.query(`
      CREATE TABLE chain.log (
        chain_id integer NOT NULL,
        tx_hash text NOT NULL,
        log_index integer NOT NULL,
        block_number bigint NOT NULL,
        block_hash text NOT NULL,
        block_timestamp timestamptz NOT NULL,
        address text NOT NULL,
        topic0 text,
        topic1 text,
        topic2 text,
        topic3 text,
        data text NOT NULL,
        contract text,
        event_name text,
        args jsonb,
        PRIMARY KEY (chain_id, tx_hash, log_index)
      )`);
    await q.query(`CREATE INDEX log_block_idx ON chain.log (block_number, log_index)`);

    const typed: Record<(typeof EVENT_TABLES)[number], string> = {
      standard_version: `standard_id text NOT NULL, content_hash text NOT NULL, version_index numeric NOT NULL,
        version text NOT NULL, uri text NOT NULL, effective_from timestamptz NOT NULL`,
      standard_deprecation: `standard_id text NOT NULL, content_hash text NOT NULL, version_index numeric NOT NULL,
        version text NOT NULL, reason text NOT NULL`,
      proposal_event: `proposal_id numeric NOT NULL,
        kind text NOT NULL CHECK (kind IN ('created','queued','executed','canceled')),
        proposer text, targets jsonb, calldatas jsonb, vote_start numeric, vote_end numeric, eta numeric,
        description text`,
      vote: `proposal_id numeric NOT NULL, voter text NOT NULL, support smallint NOT NULL, weight numeric NOT NULL,
        reason text NOT NULL, params text`,
      member_event: `member text NOT NULL, token_id numeric NOT NULL,
        kind text NOT NULL CHECK (kind IN ('admitted','removed'))`,
      delegation: `delegator text NOT NULL, from_delegate text NOT NULL, to_delegate text NOT NULL`,
      delegate_votes: `delegate text NOT NULL, previous_votes numeric NOT NULL, new_votes numeric NOT NULL`,
      participant_event: `kind text NOT NULL CHECK (kind IN ('enterprise_registered','enterprise_admin_added',
        'enterprise_admin_removed','device_registered','device_revoked')),
        enterprise_id text NOT NULL, enterprise_index integer, account text NOT NULL, sender text`,
      role_event: `role text NOT NULL, account text NOT NULL, sender text NOT NULL, granted boolean NOT NULL`,
      quota_event: `enterprise_id text NOT NULL, year integer NOT NULL, regulator text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('issued','adjusted')), previous_amount numeric, amount numeric NOT NULL,
        revision integer NOT NULL, reason text NOT NULL`,
      anchor: `enterprise_id text NOT NULL, standard_ref text NOT NULL, root text NOT NULL,
        period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
        kind text NOT NULL, leaf_count bigint NOT NULL, submitter text NOT NULL`,
      anchor_supersession: `enterprise_id text NOT NULL, old_root text NOT NULL, new_root text NOT NULL,
        reason text NOT NULL, submitter text NOT NULL`,
      verifier_statement: `enterprise_id text NOT NULL, root text NOT NULL, verifier text NOT NULL,
        opinion text NOT NULL, document_hash text NOT NULL`,
    };
    for (const t of EVENT_TABLES) {
      await q.query(
        `CREATE TABLE chain.${t} (${EVENT_COLUMNS}, ${typed[t]}, PRIMARY KEY (chain_id, tx_hash, log_index))`,
      );
      // Rows arrive in block order, so a BRIN index serves the reorg range deletes at almost no
      // write cost (a btree here would be one more random-insert index per event).
      await q.query(`CREATE INDEX ${t}_block_idx ON chain.${t} USING brin (block_number)`);
    }
    await q.query(
      `CREATE INDEX standard_version_lookup_idx ON chain.standard_version (standard_id, effective_from)`,
    );
    await q.query(`CREATE INDEX proposal_event_id_idx ON chain.proposal_event (proposal_id)`);
    await q.query(`CREATE INDEX vote_proposal_idx ON chain.vote (proposal_id)`);
    await q.query(`CREATE INDEX quota_event_key_idx ON chain.quota_event (enterprise_id, year)`);
    await q.query(`CREATE INDEX anchor_enterprise_idx ON chain.anchor (enterprise_id, period_start)`);
    await q.query(`CREATE INDEX anchor_root_idx ON chain.anchor (root)`);
    await q.query(`CREATE INDEX participant_event_enterprise_idx ON chain.participant_event (enterprise_id)`);

    // Derived state, recomputed by the indexer from the event tables for the keys each batch (or
    // rollback) touches; block_number is the block of the latest contributing event.
    await q.query(`
      CREATE TABLE chain.proposal (
        chain_id integer NOT NULL,
        proposal_id numeric NOT NULL,
        proposer text,
        description text,
        vote_start numeric,
        vote_end numeric,
        eta numeric,
        state text NOT NULL,
        for_votes numeric NOT NULL DEFAULT 0,
        against_votes numeric NOT NULL DEFAULT 0,
        abstain_votes numeric NOT NULL DEFAULT 0,
        vote_count integer NOT NULL DEFAULT 0,
        created_block bigint,
        block_number bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (chain_id, proposal_id)
      )`);
    await q.query(`
      CREATE TABLE chain.quota (
        chain_id integer NOT NULL,
        enterprise_id text NOT NULL,
        year integer NOT NULL,
        amount numeric NOT NULL,
        revision integer NOT NULL,
        issued_at timestamptz NOT NULL,
        block_number bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (chain_id, enterprise_id, year)
      )`);

    // Confirmation: a row is confirmed once its block is at least finality_depth below the head.
    await q.query(`
      CREATE FUNCTION chain.confirmed_block() RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT coalesce((SELECT head_block - finality_depth FROM chain.indexer_status), -1)
      $$`);
    await q.query(`
      CREATE FUNCTION chain.is_confirmed(p_block bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT p_block <= chain.confirmed_block()
      $$`);
    for (const t of [...EVENT_TABLES, 'log', 'proposal', 'quota']) {
      await q.query(
        `CREATE VIEW chain.${t}_confirmed AS SELECT * FROM chain.${t} WHERE block_number <= chain.confirmed_block()`,
      );
    }
    // Mirrors StandardsRegistry.activeVersionAt: the latest non-deprecated version whose
    // effectiveFrom <= at (a deprecation removes a version whatever the time asked about).
    await q.query(`
      CREATE FUNCTION chain.active_standard_version(p_standard_id text, p_at timestamptz,
          p_confirmed_only boolean DEFAULT false)
        RETURNS SETOF chain.standard_version LANGUAGE sql STABLE AS $$
        SELECT v.* FROM chain.standard_version v
        WHERE v.standard_id = lower(p_standard_id) AND v.effective_from <= p_at
          AND (NOT p_confirmed_only OR v.block_number <= chain.confirmed_block())
          AND NOT EXISTS (
            SELECT 1 FROM chain.standard_deprecation d
            WHERE d.standard_id = v.standard_id AND d.version_index = v.version_index
              AND (NOT p_confirmed_only OR d.block_number <= chain.confirmed_block()))
        ORDER BY v.effective_from DESC, v.version_index DESC
        LIMIT 1
      $$`);
    await q.query(`
      CREATE VIEW chain.member AS
      SELECT DISTINCT ON (chain_id, member) chain_id, member, token_id, kind = 'admitted' AS active,
        block_number, block_timestamp AS changed_at
      FROM chain.member_event
      ORDER BY chain_id, member, block_number DESC, log_index DESC`);
    await q.query(`
      CREATE VIEW chain.device AS
      SELECT DISTINCT ON (chain_id, account) chain_id, enterprise_id, account AS device,
        kind = 'device_registered' AS active, block_number, block_timestamp AS changed_at
      FROM chain.participant_event WHERE kind IN ('device_registered','device_revoked')
      ORDER BY chain_id, account, block_number DESC, log_index DESC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS chain.active_standard_version(text, timestamptz, boolean)`);
    await q.query(`DROP VIEW IF EXISTS chain.member, chain.device`);
    for (const t of [...EVENT_TABLES, 'log', 'proposal', 'quota']) {
      await q.query(`DROP VIEW IF EXISTS chain.${t}_confirmed`);
    }
    await q.query(`DROP FUNCTION IF EXISTS chain.is_confirmed(bigint)`);
    await q.query(`DROP FUNCTION IF EXISTS chain.confirmed_block()`);
    for (const t of [
      ...EVENT_TABLES,
      'proposal',
      'quota',
      'log',
      'block',
      'indexer_status',
      'checkpoint',
      'meta',
    ]) {
      await q.query(`DROP TABLE IF EXISTS chain.${t}`);
    }
  }
}
