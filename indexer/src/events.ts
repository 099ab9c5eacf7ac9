import { type AbiEvent, toEventSelector } from 'viem';
import { compileEventDecoder, type DecodedArgs, lower } from './abi-decode';
import type { DeployedContract } from './deployment';
import { IndexerError } from './errors';
import type { BlockHeader, RpcLog } from './rpc';

export type Row = Record<string, string | number | boolean | null>;

/** Column lists (name, Postgres type) of the tables a batch writes; must match the migration. */
const COMMON: [string, string][] = [
  ['chain_id', 'int4'],
  ['tx_hash', 'text'],
  ['log_index', 'int4'],
  ['block_number', 'int8'],
  ['block_timestamp', 'timestamptz'],
  ['address', 'text'],
];
const cols = (spec: string): [string, string][] => [
  ...COMMON,
  ...spec
    .trim()
    .split(/\s*,\s*/)
    .map((c) => c.split(':') as [string, string]),
];

export const TABLES = {
  log: cols(
    'block_hash:text, topic0:text, topic1:text, topic2:text, topic3:text, data:text, contract:text, event_name:text, args:jsonb',
  ),
  block: [
    ['chain_id', 'int4'],
    ['block_number', 'int8'],
    ['block_hash', 'text'],
    ['parent_hash', 'text'],
    ['block_timestamp', 'timestamptz'],
    ['log_count', 'int4'],
  ],
  standard_version: cols(
    'standard_id:text, content_hash:text, version_index:numeric, version:text, uri:text, effective_from:timestamptz',
  ),
  standard_deprecation: cols(
    'standard_id:text, content_hash:text, version_index:numeric, version:text, reason:text',
  ),
  proposal_event: cols(
    'proposal_id:numeric, kind:text, proposer:text, targets:jsonb, calldatas:jsonb, vote_start:numeric, vote_end:numeric, eta:numeric, description:text',
  ),
  vote: cols('proposal_id:numeric, voter:text, support:int2, weight:numeric, reason:text, params:text'),
  member_event: cols('member:text, token_id:numeric, kind:text'),
  delegation: cols('delegator:text, from_delegate:text, to_delegate:text'),
  delegate_votes: cols('delegate:text, previous_votes:numeric, new_votes:numeric'),
  participant_event: cols('kind:text, enterprise_id:text, enterprise_index:int4, account:text, sender:text'),
  role_event: cols('role:text, account:text, sender:text, granted:bool'),
  quota_event: cols(
    'enterprise_id:text, year:int4, regulator:text, kind:text, previous_amount:numeric, amount:numeric, revision:int4, reason:text',
  ),
  anchor: cols(
    'enterprise_id:text, standard_ref:text, root:text, period_start:timestamptz, period_end:timestamptz, kind:text, leaf_count:int8, submitter:text',
  ),
  anchor_supersession: cols('enterprise_id:text, old_root:text, new_root:text, reason:text, submitter:text'),
  verifier_statement: cols('enterprise_id:text, root:text, verifier:text, opinion:text, document_hash:text'),
} satisfies Record<string, [string, string][]>;

export type TableName = keyof typeof TABLES;
export type EventTable = Exclude<TableName, 'log' | 'block'>;
export const EVENT_TABLES = Object.keys(TABLES).filter((t) => t !== 'log' && t !== 'block') as EventTable[];

/** What a handler produces for one event: a typed row, derived keys to refresh, a notification. */
export interface HandlerResult {
  table: EventTable;
  row: Row;
  proposal?: string;
  quota?: { enterpriseId: string; year: number };
  notify?: { kind: string; id: Record<string, string | number> };
}

type Args = Record<string, unknown>;
type Handler = (a: Args) => HandlerResult;

const ANCHOR_KINDS = ['readings', 'inventory', 'report'];
const OPINIONS = ['unqualified', 'qualified', 'adverse', 'disclaimer'];
const PROPOSAL_STATES: Record<string, string> = {
  created: 'pending',
  queued: 'queued',
  executed: 'executed',
  canceled: 'canceled',
};

const s = (v: unknown): string => {
  if (typeof v === 'string') return v.startsWith('0x') ? v.toLowerCase() : v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`unexpected argument ${String(v)}`);
};
const iso = (seconds: unknown): string => new Date(Number(seconds) * 1000).toISOString();
const proposalEvent = (kind: string, id: unknown, extra: Row = {}): HandlerResult => ({
  table: 'proposal_event',
  row: {
    proposal_id: s(id),
    kind,
    proposer: null,
    targets: null,
    calldatas: null,
    vote_start: null,
    vote_end: null,
    eta: null,
    description: null,
    ...extra,
  },
  proposal: s(id),
  notify: { kind: 'proposal_state_changed', id: { proposalId: s(id), state: PROPOSAL_STATES[kind] ?? kind } },
});
const participant = (kind: string) => (a: Args) => ({
  table: 'participant_event' as const,
  row: {
    kind,
    enterprise_id: s(a.enterpriseId),
    enterprise_index: a.index === undefined ? null : Number(a.index),
    account: s(a.admin ?? a.account ?? a.device),
    sender: a.sender === undefined ? null : s(a.sender),
  },
  notify: { kind: 'participant_changed', id: { enterpriseId: s(a.enterpriseId), change: kind } },
});
const vote = (a: Args): HandlerResult => ({
  table: 'vote',
  row: {
    proposal_id: s(a.proposalId),
    voter: s(a.voter),
    support: Number(a.support),
    weight: s(a.weight),
    reason: String(a.reason ?? ''),
    params: a.params === undefined ? null : s(a.params),
  },
  proposal: s(a.proposalId),
  notify: {
    kind: 'vote_cast',
    id: { proposalId: s(a.proposalId), voter: s(a.voter), support: Number(a.support) },
  },
});

/** One handler per OpenCEP event (Ponder style), keyed by event name. */
export const HANDLERS: Record<string, Handler> = {
  VersionPublished: (a) => ({
    table: 'standard_version',
    row: {
      standard_id: s(a.standardId),
      content_hash: s(a.contentHash),
      version_index: s(a.index),
      version: String(a.version),
      uri: String(a.uri),
      effective_from: iso(a.effectiveFrom),
    },
    notify: {
      kind: 'standard_version_published',
      id: { standardId: s(a.standardId), version: String(a.version), index: s(a.index) },
    },
  }),
  VersionDeprecated: (a) => ({
    table: 'standard_deprecation',
    row: {
      standard_id: s(a.standardId),
      content_hash: s(a.contentHash),
      version_index: s(a.index),
      version: String(a.version),
      reason: String(a.reason),
    },
    notify: {
      kind: 'standard_version_deprecated',
      id: { standardId: s(a.standardId), version: String(a.version), index: s(a.index) },
    },
  }),
  ProposalCreated: (a) =>
    proposalEvent('created', a.proposalId, {
      proposer: s(a.proposer),
      targets: JSON.stringify((a.targets as string[]).map(s)),
      calldatas: JSON.stringify((a.calldatas as string[]).map(s)),
      vote_start: s(a.voteStart),
      vote_end: s(a.voteEnd),
      description: String(a.description),
    }),
  ProposalQueued: (a) => proposalEvent('queued', a.proposalId, { eta: s(a.etaSeconds) }),
  ProposalExecuted: (a) => proposalEvent('executed', a.proposalId),
  ProposalCanceled: (a) => proposalEvent('canceled', a.proposalId),
  VoteCast: vote,
  VoteCastWithParams: vote,
  MemberAdmitted: (a) => ({
    table: 'member_event',
    row: { member: s(a.member), token_id: s(a.tokenId), kind: 'admitted' },
    notify: { kind: 'member_admitted', id: { member: s(a.member) } },
  }),
  MemberRemoved: (a) => ({
    table: 'member_event',
    row: { member: s(a.member), token_id: s(a.tokenId), kind: 'removed' },
    notify: { kind: 'member_removed', id: { member: s(a.member) } },
  }),
  DelegateChanged: (a) => ({
    table: 'delegation',
    row: { delegator: s(a.delegator), from_delegate: s(a.fromDelegate), to_delegate: s(a.toDelegate) },
    notify: { kind: 'delegation_changed', id: { delegator: s(a.delegator), toDelegate: s(a.toDelegate) } },
  }),
  DelegateVotesChanged: (a) => ({
    table: 'delegate_votes',
    row: { delegate: s(a.delegate), previous_votes: s(a.previousVotes), new_votes: s(a.newVotes) },
  }),
  EnterpriseRegistered: participant('enterprise_registered'),
  EnterpriseAdminAdded: participant('enterprise_admin_added'),
  EnterpriseAdminRemoved: participant('enterprise_admin_removed'),
  DeviceRegistered: participant('device_registered'),
  DeviceRevoked: participant('device_revoked'),
  RoleGranted: (a) => ({
    table: 'role_event',
    row: { role: s(a.role), account: s(a.account), sender: s(a.sender), granted: true },
    notify: { kind: 'role_changed', id: { role: s(a.role), account: s(a.account), granted: 1 } },
  }),
  RoleRevoked: (a) => ({
    table: 'role_event',
    row: { role: s(a.role), account: s(a.account), sender: s(a.sender), granted: false },
    notify: { kind: 'role_changed', id: { role: s(a.role), account: s(a.account), granted: 0 } },
  }),
  QuotaIssued: (a) => ({
    table: 'quota_event',
    row: {
      enterprise_id: s(a.enterpriseId),
      year: Number(a.year),
      regulator: s(a.regulator),
      kind: 'issued',
      previous_amount: null,
      amount: s(a.amount),
      revision: 1,
      reason: String(a.reason),
    },
    quota: { enterpriseId: s(a.enterpriseId), year: Number(a.year) },
    notify: { kind: 'quota_issued', id: { enterpriseId: s(a.enterpriseId), year: Number(a.year) } },
  }),
  QuotaAdjusted: (a) => ({
    table: 'quota_event',
    row: {
      enterprise_id: s(a.enterpriseId),
      year: Number(a.year),
      regulator: s(a.regulator),
      kind: 'adjusted',
      previous_amount: s(a.previousAmount),
      amount: s(a.newAmount),
      revision: Number(a.revision),
      reason: String(a.reason),
    },
    quota: { enterpriseId: s(a.enterpriseId), year: Number(a.year) },
    notify: { kind: 'quota_adjusted', id: { enterpriseId: s(a.enterpriseId), year: Number(a.year) } },
  }),
  Anchored: (a) => ({
    table: 'anchor',
    row: {
      enterprise_id: s(a.enterpriseId),
      standard_ref: s(a.standardRef),
      root: s(a.root),
      period_start: iso(a.periodStart),
      period_end: iso(a.periodEnd),
      kind: ANCHOR_KINDS[Number(a.kind)] ?? String(a.kind),
      leaf_count: s(a.leafCount),
      submitter: s(a.submitter),
    },
    notify: { kind: 'anchor_confirmed', id: { enterpriseId: s(a.enterpriseId), root: s(a.root) } },
  }),
  AnchorSuperseded: (a) => ({
    table: 'anchor_supersession',
    row: {
      enterprise_id: s(a.enterpriseId),
      old_root: s(a.oldRoot),
      new_root: s(a.newRoot),
      reason: String(a.reason),
      submitter: s(a.submitter),
    },
    notify: {
      kind: 'anchor_superseded',
      id: { enterpriseId: s(a.enterpriseId), oldRoot: s(a.oldRoot), newRoot: s(a.newRoot) },
    },
  }),
  StatementRecorded: (a) => ({
    table: 'verifier_statement',
    row: {
      enterprise_id: s(a.enterpriseId),
      root: s(a.root),
      verifier: s(a.verifier),
      opinion: OPINIONS[Number(a.opinion)] ?? String(a.opinion),
      document_hash: s(a.documentHash),
    },
    notify: {
      kind: 'verifier_statement_recorded',
      id: { enterpriseId: s(a.enterpriseId), root: s(a.root), verifier: s(a.verifier) },
    },
  }),
};

/** JSON-safe copy of decoded arguments (bigint → decimal string, hex lowercased). */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v.startsWith('0x') ? v.toLowerCase() : v;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

interface EventDef {
  contract: string;
  event: AbiEvent;
  decode: (topics: string[], data: string) => DecodedArgs;
  handler: Handler | undefined;
}

/** Decodes logs of the deployed contracts with their ABIs into raw + typed rows. */
export class Decoder {
  private readonly byAddress = new Map<string, { contract: string; events: Map<string, EventDef> }>();
  private readonly isoCache = new WeakMap<BlockHeader, string>();

  constructor(contracts: DeployedContract[]) {
    for (const c of contracts) {
      const events = new Map<string, EventDef>();
      for (const e of c.events)
        events.set(toEventSelector(e), {
          contract: c.name,
          event: e,
          decode: compileEventDecoder(e),
          handler: HANDLERS[e.name],
        });
      this.byAddress.set(c.address, { contract: c.name, events });
    }
  }

  get addresses(): string[] {
    return [...this.byAddress.keys()];
  }

  decode(
    chainId: number,
    log: RpcLog,
    header: BlockHeader,
  ): { log: Row; typed?: HandlerResult & { row: Row }; eventName?: string } {
    // Hot path of the backfill: no object spreads, lowercase without copies.
    const address = lower(log.address);
    const c = this.byAddress.get(address);
    const topics = log.topics;
    const topic0 = topics[0] === undefined ? null : lower(topics[0]);
    const def = topic0 !== null ? c?.events.get(topic0) : undefined;
    const txHash = lower(log.transactionHash);
    const logIndex = Number(log.logIndex);
    const blockNumber = Number(log.blockNumber);
    let args: Args | undefined;
    if (def) {
      try {
        args = def.decode(topics, log.data);
      } catch (err) {
        // The ABI says this topic is ours but the payload does not fit: a deployment/ABI mismatch
        // that retrying cannot fix.
        throw new IndexerError(
          `cannot decode ${def.contract}.${def.event.name} at ${log.transactionHash}:${logIndex}`,
          true,
          { cause: err },
        );
      }
    }
    let blockTimestamp = this.isoCache.get(header);
    if (!blockTimestamp) {
      blockTimestamp = new Date(header.timestamp * 1000).toISOString();
      this.isoCache.set(header, blockTimestamp);
    }
    const raw: Row = {
      chain_id: chainId,
      tx_hash: txHash,
      log_index: logIndex,
      block_number: blockNumber,
      block_timestamp: blockTimestamp,
      address,
      block_hash: lower(log.blockHash),
      topic0,
      topic1: topics[1] === undefined ? null : lower(topics[1]),
      topic2: topics[2] === undefined ? null : lower(topics[2]),
      topic3: topics[3] === undefined ? null : lower(topics[3]),
      data: lower(log.data),
      contract: c?.contract ?? null,
      event_name: def?.event.name ?? null,
      args: null,
    };
    const handler = def && args ? def.handler : undefined;
    if (!handler || !args) {
      // Events without a typed table keep their decoded arguments here; typed ones live in their table.
      if (args) raw.args = JSON.stringify(jsonSafe(args));
      return { log: raw, eventName: def?.event.name };
    }
    const typed = handler(args);
    const row = typed.row;
    row.chain_id = chainId;
    row.tx_hash = txHash;
    row.log_index = logIndex;
    row.block_number = blockNumber;
    row.block_timestamp = blockTimestamp;
    row.address = address;
    return { log: raw, typed, eventName: def?.event.name };
  }
}
