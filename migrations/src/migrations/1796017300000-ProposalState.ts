import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full OpenZeppelin Governor state per proposal, derived from mirrored data only (never from the chain at
 * query time): `chain.proposal_state(proposal_id, at_block)` mirrors `StandardsGovernor.state()` with
 * `clock() = at_block` (block-number clock), and `chain.proposal_with_state` applies it at the indexed
 * head (`chain.checkpoint`). Only events at or below `at_block` count, so past states are reproducible.
 *
 * Rules (OZ 5 Governor + GovernorTimelockControl + StandardsGovernor's expiry):
 * executed / canceled (from ProposalExecuted / ProposalCanceled; the governor is the timelock's only
 * executor and canceller, so timelock-side execution or cancellation always comes with those events);
 * pending while at_block <= voteStart; active while at_block <= voteEnd; then defeated unless
 * quorum <= for + abstain and for > against; succeeded until ProposalQueued; queued; expired once the
 * block time > eta + EXECUTION_GRACE_PERIOD (14 days).
 * Quorum = floor(totalSupply(voteStart) * numerator(voteStart) / 100): the supply is the membership
 * count (one token, one vote) from `chain.member_event` mints minus burns up to the snapshot; the
 * numerator is the last mirrored `QuorumNumeratorUpdated` of the proposal's governor up to the snapshot
 * (QUORUM_PERCENT = 40 when the constructor's event predates the mirror).
 * Block time of at_block: the latest mirrored header at or below it (chain.block always holds the
 * checkpoint and blocks with logs; for other blocks it is a lower bound, so `expired` may show late by
 * at most the gap to the previous mirrored header).
 */
export class ProposalState1796017300000 implements MigrationInterface {
  name = 'ProposalState1796017300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION chain.proposal_state(p_proposal_id numeric, p_at_block bigint)
        RETURNS text LANGUAGE sql STABLE AS $$
        WITH created AS (
          SELECT chain_id, address, vote_start, vote_end FROM chain.proposal_event
          WHERE proposal_id = p_proposal_id AND kind = 'created' AND block_number <= p_at_block
          ORDER BY block_number, log_index LIMIT 1
        ), ev AS (
          SELECT coalesce(bool_or(e.kind = 'executed'), false) AS executed,
            coalesce(bool_or(e.kind = 'canceled'), false) AS canceled,
            (array_agg(e.eta ORDER BY e.block_number DESC, e.log_index DESC) FILTER (WHERE e.kind = 'queued'))[1] AS eta
          FROM created c JOIN chain.proposal_event e
            ON e.chain_id = c.chain_id AND e.proposal_id = p_proposal_id AND e.block_number <= p_at_block
        ), tally AS (
          SELECT coalesce(sum(w.weight) FILTER (WHERE w.support = 1), 0) AS for_votes,
            coalesce(sum(w.weight) FILTER (WHERE w.support = 0), 0) AS against_votes,
            coalesce(sum(w.weight) FILTER (WHERE w.support = 2), 0) AS abstain_votes
          FROM created c JOIN chain.vote w
            ON w.chain_id = c.chain_id AND w.proposal_id = p_proposal_id AND w.block_number <= p_at_block
        ), quorum AS (
          SELECT floor(
            (SELECT count(*) FILTER (WHERE m.kind = 'admitted') - count(*) FILTER (WHERE m.kind = 'removed')
               FROM chain.member_event m WHERE m.chain_id = c.chain_id AND m.block_number <= c.vote_start)
            * coalesce((SELECT (l.args ->> 'newQuorumNumerator')::numeric FROM chain.log l
                 WHERE l.chain_id = c.chain_id AND l.address = c.address
                   AND l.event_name = 'QuorumNumeratorUpdated' AND l.block_number <= c.vote_start
                 ORDER BY l.block_number DESC, l.log_index DESC LIMIT 1), 40)
            / 100) AS votes
          FROM created c
        ), clock AS (
          SELECT (SELECT extract(epoch FROM b.block_timestamp) FROM chain.block b
                  WHERE b.chain_id = c.chain_id AND b.block_number <= p_at_block
                  ORDER BY b.block_number DESC LIMIT 1) AS block_time
          FROM created c
        )
        SELECT CASE
          WHEN ev.executed THEN 'executed'
          WHEN ev.canceled THEN 'canceled'
          WHEN c.vote_start >= p_at_block THEN 'pending'
          WHEN c.vote_end >= p_at_block THEN 'active'
          WHEN t.for_votes + t.abstain_votes < qu.votes OR t.for_votes <= t.against_votes THEN 'defeated'
          WHEN ev.eta IS NULL OR ev.eta = 0 THEN 'succeeded'
          WHEN k.block_time > ev.eta + 1209600 THEN 'expired'
          ELSE 'queued'
        END
        FROM created c, ev, tally t, quorum qu, clock k
      $$`);
    await q.query(`
      CREATE VIEW chain.proposal_with_state AS
      SELECT p.chain_id, p.proposal_id, p.proposer, p.description, p.vote_start, p.vote_end, p.eta,
        chain.proposal_state(p.proposal_id, cp.block_number) AS state,
        p.state AS event_state,
        p.for_votes, p.against_votes, p.abstain_votes, p.vote_count, p.created_block, p.block_number,
        p.updated_at, cp.block_number AS state_at_block
      FROM chain.proposal p JOIN chain.checkpoint cp ON cp.chain_id = p.chain_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW IF EXISTS chain.proposal_with_state`);
    await q.query(`DROP FUNCTION IF EXISTS chain.proposal_state(numeric, bigint)`);
  }
}
