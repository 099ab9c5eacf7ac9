import { parseStandardProposalDescription } from '@opencep/contracts';
import { uuidToBytes32 } from 'opencep-verify';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  isAddress,
  isHex,
  recoverTypedDataAddress,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { RequestContext } from '../../core/context';
import { NotFoundError, UserInputError } from '../../core/errors';
import { governanceSettings } from './governance.config';
import {
  IndexerHealth,
  OnChainQuota,
  Proposal,
  RelayedVote,
  Standard,
  StandardVersion,
  StandardVersionDiff,
  Vote,
  VoteTypedData,
} from './governance.entity';
import { governanceError } from './governance.errors';
import { diffPackParameters, knownStandardCodes, packByHash } from './governance.packs';

type Queryable = Pick<RequestContext['db'], 'query'>;

/** Name and version of the StandardsGovernor EIP-712 domain (Governor("OpenCEP StandardsGovernor"), OZ version "1"). */
export const GOVERNOR_DOMAIN = { name: 'OpenCEP StandardsGovernor', version: '1' } as const;
export const BALLOT_TYPES = {
  Ballot: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'support', type: 'uint8' },
    { name: 'voter', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;
/** The only governor functions the API calls (relay and nonce). */
const GOVERNOR_ABI = [
  {
    type: 'function',
    name: 'castVoteBySig',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'proposalId', type: 'uint256' },
      { name: 'support', type: 'uint8' },
      { name: 'voter', type: 'address' },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'nonces',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const;

const HEADER = /^# Publish standard (\S+) version /;

interface ProposalRow {
  id: string;
  proposer: string | null;
  description: string | null;
  vote_start: string | null;
  vote_end: string | null;
  eta: string | null;
  state: string;
  for_votes: string;
  against_votes: string;
  abstain_votes: string;
  vote_count: number;
  created_block: string | null;
  updated_at: Date;
}

const PROPOSAL_SELECT = `SELECT proposal_id::text AS id, proposer, description, vote_start::text, vote_end::text,
  eta::text, state, for_votes::text, against_votes::text, abstain_votes::text, vote_count, created_block::text,
  updated_at FROM chain.proposal_with_state`;

function toProposal(r: ProposalRow, codes: Map<string, string>): Proposal {
  const parsed = r.description ? parseStandardProposalDescription(r.description) : undefined;
  const headerCode = r.description ? (HEADER.exec(r.description)?.[1] ?? null) : null;
  const p = new Proposal();
  Object.assign(p, {
    id: r.id,
    proposer: r.proposer,
    state: r.state,
    description: r.description,
    title: r.description ? (r.description.split('\n')[0] ?? '').replace(/^#\s*/, '') : null,
    standard: parsed
      ? {
          standardId: parsed.standardId.toLowerCase(),
          code: headerCode ?? codes.get(parsed.standardId.toLowerCase()) ?? null,
          version: parsed.version,
          contentHash: parsed.contentHash.toLowerCase(),
          uri: parsed.uri,
        }
      : null,
    forVotes: r.for_votes,
    againstVotes: r.against_votes,
    abstainVotes: r.abstain_votes,
    voteCount: r.vote_count,
    voteStart: r.vote_start,
    voteEnd: r.vote_end,
    eta: r.eta,
    createdBlock: r.created_block === null ? null : Number(r.created_block),
    updatedAt: r.updated_at,
    votes: null,
  } satisfies Proposal);
  return p;
}

function proposalIdArg(id: string): string {
  if (!/^\d{1,78}$/.test(id))
    throw new UserInputError('Invalid proposal id', { proposalId: ['must be a uint256 in decimal'] });
  return id;
}

function supportArg(support: number): 0 | 1 | 2 {
  if (support !== 0 && support !== 1 && support !== 2)
    throw new UserInputError('Invalid support', { support: ['0 against, 1 for, 2 abstain'] });
  return support;
}

function addressArg(voter: string): Hex {
  if (!isAddress(voter, { strict: false }))
    throw new UserInputError('Invalid voter', { voter: ['not an address'] });
  return getAddress(voter);
}

/**
 * Governance reads come only from the indexer's mirror (schema `chain`, public chain data, no tenant
 * rows, so no RLS transaction). The chain is contacted only to relay a signed vote and to read the
 * voter's Ballot nonce (the mirror cannot tell castVote from castVoteBySig, so it cannot count nonces).
 */
export class GovernanceService {
  /** Codes from shipped packs and from proposal descriptions ("# Publish standard <code> version …"). */
  static async standardCodes(db: Queryable): Promise<Map<string, string>> {
    const codes = knownStandardCodes();
    const rows = (await db.query(
      `SELECT description FROM chain.proposal WHERE description LIKE '# Publish standard %'`,
    )) as { description: string }[];
    for (const r of rows) {
      const parsed = parseStandardProposalDescription(r.description);
      const code = HEADER.exec(r.description)?.[1];
      if (parsed && code) codes.set(parsed.standardId.toLowerCase(), code);
    }
    return codes;
  }

  static async standards(ctx: RequestContext): Promise<Standard[]> {
    const codes = await GovernanceService.standardCodes(ctx.db);
    const rows = (await ctx.db.query(
      `SELECT v.standard_id, v.content_hash, v.version_index::text, v.version, v.uri, v.effective_from,
              v.block_number::int AS block_number,
              v.block_number <= chain.confirmed_block() AS confirmed,
              EXISTS (SELECT 1 FROM chain.standard_deprecation d WHERE d.chain_id = v.chain_id
                        AND d.standard_id = v.standard_id AND d.version_index = v.version_index) AS deprecated,
              (SELECT a.content_hash FROM chain.active_standard_version(v.standard_id, now()) a) AS active_hash
         FROM chain.standard_version v
        ORDER BY v.standard_id, v.version_index`,
    )) as {
      standard_id: string;
      content_hash: string;
      version_index: string;
      version: string;
      uri: string;
      effective_from: Date;
      block_number: number;
      confirmed: boolean;
      deprecated: boolean;
      active_hash: string | null;
    }[];
    const byId = new Map<string, Standard>();
    for (const r of rows) {
      const code = codes.get(r.standard_id) ?? null;
      let s = byId.get(r.standard_id);
      if (!s) {
        s = Object.assign(new Standard(), {
          id: r.standard_id,
          code,
          versions: [],
          activeContentHash: r.active_hash,
        });
        byId.set(r.standard_id, s);
      }
      s.versions.push(
        Object.assign(new StandardVersion(), {
          standardId: r.standard_id,
          code,
          version: r.version,
          versionIndex: r.version_index,
          contentHash: r.content_hash,
          uri: r.uri,
          effectiveFrom: r.effective_from,
          deprecated: r.deprecated,
          confirmed: r.confirmed,
          shipped: !!packByHash(r.content_hash),
          blockNumber: r.block_number,
        } satisfies StandardVersion),
      );
    }
    return [...byId.values()];
  }

  /** Versions published in blocks [fromBlock, toBlock] (for the standardVersionActivated feed). */
  static async versionsInBlocks(
    db: Queryable,
    fromBlock: number,
    toBlock: number,
  ): Promise<StandardVersion[]> {
    const codes = await GovernanceService.standardCodes(db);
    const rows = (await db.query(
      `SELECT standard_id, content_hash, version_index::text, version, uri, effective_from, block_number::int AS block_number,
              block_number <= chain.confirmed_block() AS confirmed
         FROM chain.standard_version WHERE block_number BETWEEN $1 AND $2 ORDER BY block_number, log_index`,
      [fromBlock, toBlock],
    )) as {
      standard_id: string;
      content_hash: string;
      version_index: string;
      version: string;
      uri: string;
      effective_from: Date;
      block_number: number;
      confirmed: boolean;
    }[];
    return rows.map((r) =>
      Object.assign(new StandardVersion(), {
        standardId: r.standard_id,
        code: codes.get(r.standard_id) ?? null,
        version: r.version,
        versionIndex: r.version_index,
        contentHash: r.content_hash,
        uri: r.uri,
        effectiveFrom: r.effective_from,
        deprecated: false,
        confirmed: r.confirmed,
        shipped: !!packByHash(r.content_hash),
        blockNumber: r.block_number,
      } satisfies StandardVersion),
    );
  }

  static standardVersionDiff(fromHash: string, toHash: string): StandardVersionDiff {
    const from = packByHash(fromHash);
    const to = packByHash(toHash);
    if (!from || !to)
      throw new NotFoundError(`No shipped pack with content hash ${!from ? fromHash : toHash}`);
    return Object.assign(new StandardVersionDiff(), {
      fromHash: from.hash,
      toHash: to.hash,
      fromRef: from.ref,
      toRef: to.ref,
      parameters: diffPackParameters(from.document, to.document),
    });
  }

  static async proposals(ctx: RequestContext, first: number): Promise<Proposal[]> {
    const codes = await GovernanceService.standardCodes(ctx.db);
    const rows = (await ctx.db.query(`${PROPOSAL_SELECT} ORDER BY created_block DESC NULLS LAST LIMIT $1`, [
      Math.min(Math.max(first, 1), 200),
    ])) as ProposalRow[];
    return rows.map((r) => toProposal(r, codes));
  }

  /** Proposals whose derived row changed in blocks [fromBlock, toBlock] (for proposalChanged). */
  static async proposalsInBlocks(db: Queryable, fromBlock: number, toBlock: number): Promise<Proposal[]> {
    const codes = await GovernanceService.standardCodes(db);
    const rows = (await db.query(`${PROPOSAL_SELECT} WHERE block_number BETWEEN $1 AND $2`, [
      fromBlock,
      toBlock,
    ])) as ProposalRow[];
    return rows.map((r) => toProposal(r, codes));
  }

  static async proposal(ctx: RequestContext, id: string): Promise<Proposal> {
    const pid = proposalIdArg(id);
    const codes = await GovernanceService.standardCodes(ctx.db);
    const rows = (await ctx.db.query(`${PROPOSAL_SELECT} WHERE proposal_id = $1::numeric`, [
      pid,
    ])) as ProposalRow[];
    const row = rows[0];
    if (!row) throw new NotFoundError(`Proposal ${pid} not found`);
    const p = toProposal(row, codes);
    const votes = (await ctx.db.query(
      `SELECT voter, support, weight::text, reason, tx_hash, block_number::int AS block_number, block_timestamp
         FROM chain.vote WHERE proposal_id = $1::numeric ORDER BY block_number, log_index`,
      [pid],
    )) as {
      voter: string;
      support: number;
      weight: string;
      reason: string;
      tx_hash: string;
      block_number: number;
      block_timestamp: Date;
    }[];
    p.votes = votes.map((v) =>
      Object.assign(new Vote(), {
        voter: v.voter,
        support: v.support,
        weight: v.weight,
        reason: v.reason,
        txHash: v.tx_hash,
        blockNumber: v.block_number,
        castAt: v.block_timestamp,
      } satisfies Vote),
    );
    return p;
  }

  static async indexerHealth(ctx: RequestContext): Promise<IndexerHealth> {
    const rows = (await ctx.db.query(
      `SELECT chain_id, phase, head_block::int AS head_block, checkpoint_block::int AS checkpoint_block, finality_depth,
              lag_blocks::int AS lag_blocks, lag_seconds::text, events_per_second::text, events_total::int AS events_total,
              reorgs_total, last_error, last_error_at, updated_at
         FROM chain.indexer_status LIMIT 1`,
    )) as {
      chain_id: number | null;
      phase: string;
      head_block: number | null;
      checkpoint_block: number | null;
      finality_depth: number;
      lag_blocks: number | null;
      lag_seconds: string | null;
      events_per_second: string;
      events_total: number;
      reorgs_total: number;
      last_error: string | null;
      last_error_at: Date | null;
      updated_at: Date;
    }[];
    const r = rows[0];
    const h = new IndexerHealth();
    Object.assign(h, {
      running: !!r,
      chainId: r?.chain_id ?? null,
      phase: r?.phase ?? 'not-started',
      headBlock: r?.head_block ?? null,
      checkpointBlock: r?.checkpoint_block ?? null,
      finalityDepth: r?.finality_depth ?? 0,
      lagBlocks: r?.lag_blocks ?? null,
      lagSeconds: r?.lag_seconds ?? null,
      eventsPerSecond: r?.events_per_second ?? '0',
      eventsTotal: r?.events_total ?? 0,
      reorgsTotal: r?.reorgs_total ?? 0,
      lastError: r?.last_error ?? null,
      lastErrorAt: r?.last_error_at ?? null,
      updatedAt: r?.updated_at ?? null,
    } satisfies IndexerHealth);
    return h;
  }

  static async quotasOnChain(ctx: RequestContext, enterpriseId: string): Promise<OnChainQuota[]> {
    if (!/^[0-9a-f-]{36}$/i.test(enterpriseId))
      throw new UserInputError('Invalid enterprise id', { enterpriseId: ['must be a UUID'] });
    const map = governanceSettings().onChainEnterpriseIds;
    const ids = (map ? map(enterpriseId) : [uuidToBytes32(enterpriseId) as Hex]).map((x) => x.toLowerCase());
    const rows = (await ctx.db.query(
      `SELECT enterprise_id, year, amount::text, revision, issued_at, block_number <= chain.confirmed_block() AS confirmed
         FROM chain.quota WHERE enterprise_id = ANY($1::text[]) ORDER BY year DESC`,
      [ids],
    )) as {
      enterprise_id: string;
      year: number;
      amount: string;
      revision: number;
      issued_at: Date;
      confirmed: boolean;
    }[];
    return rows.map((r) =>
      Object.assign(new OnChainQuota(), {
        chainEnterpriseId: r.enterprise_id,
        year: r.year,
        amountGrams: r.amount,
        revision: r.revision,
        issuedAt: r.issued_at,
        confirmed: r.confirmed,
      } satisfies OnChainQuota),
    );
  }

  /** Governor address (config, else the contract the indexer mirrored Governor events from) and chain id. */
  static async governor(db: Queryable): Promise<{ address: Hex; chainId: number }> {
    const rows = (await db.query(
      `SELECT (SELECT chain_id FROM chain.meta LIMIT 1) AS chain_id,
              (SELECT address FROM chain.log WHERE contract = 'StandardsGovernor' LIMIT 1) AS address`,
    )) as { chain_id: number | null; address: string | null }[];
    const address = governanceSettings().governorAddress ?? rows[0]?.address;
    const chainId = rows[0]?.chain_id;
    if (!address || !isHex(address) || chainId == null) throw governanceError('GOVERNOR_UNKNOWN');
    return { address: getAddress(address), chainId };
  }

  private static rpc(): string {
    const url = governanceSettings().rpcUrl;
    if (!url) throw governanceError('CHAIN_NOT_CONFIGURED');
    return url;
  }

  static async voteTypedData(
    ctx: RequestContext,
    proposalId: string,
    support: number,
    voter: string,
  ): Promise<VoteTypedData> {
    const pid = proposalIdArg(proposalId);
    const s = supportArg(support);
    const account = addressArg(voter);
    const rpcUrl = GovernanceService.rpc();
    const gov = await GovernanceService.governor(ctx.db);
    const client = createPublicClient({ transport: http(rpcUrl) });
    const nonce = await client.readContract({
      address: gov.address,
      abi: GOVERNOR_ABI,
      functionName: 'nonces',
      args: [account],
    });
    const typed = {
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        ...BALLOT_TYPES,
      },
      domain: { ...GOVERNOR_DOMAIN, chainId: gov.chainId, verifyingContract: gov.address },
      primaryType: 'Ballot',
      message: { proposalId: pid, support: s, voter: account, nonce: nonce.toString() },
    };
    return Object.assign(new VoteTypedData(), {
      json: JSON.stringify(typed),
      chainId: gov.chainId,
      verifyingContract: gov.address,
      nonce: nonce.toString(),
    });
  }

  /**
   * Verifies the Ballot signature against the governor's EIP-712 domain (viem), then submits
   * castVoteBySig from the relayer key and waits for the receipt. The mirror shows the vote once the
   * indexer has caught up (proposalChanged fires then).
   */
  static async relayVoteBySig(
    ctx: RequestContext,
    proposalId: string,
    support: number,
    voter: string,
    signature: string,
  ): Promise<RelayedVote> {
    const relayerKey = governanceSettings().relayerKey;
    if (!relayerKey) throw governanceError('RELAYER_NOT_CONFIGURED');
    const pid = proposalIdArg(proposalId);
    const s = supportArg(support);
    const account = addressArg(voter);
    if (!isHex(signature) || (signature.length !== 132 && signature.length !== 130))
      throw new UserInputError('Invalid signature', { signature: ['65-byte 0x-hex signature expected'] });
    const rpcUrl = GovernanceService.rpc();
    const gov = await GovernanceService.governor(ctx.db);
    const publicClient = createPublicClient({ transport: http(rpcUrl), pollingInterval: 100 });
    const nonce = await publicClient.readContract({
      address: gov.address,
      abi: GOVERNOR_ABI,
      functionName: 'nonces',
      args: [account],
    });
    let signer: Hex;
    try {
      signer = await recoverTypedDataAddress({
        domain: { ...GOVERNOR_DOMAIN, chainId: gov.chainId, verifyingContract: gov.address },
        types: BALLOT_TYPES,
        primaryType: 'Ballot',
        message: { proposalId: BigInt(pid), support: s, voter: account, nonce },
        signature,
      });
    } catch {
      throw new UserInputError('Invalid signature', { signature: ['not a valid secp256k1 signature'] });
    }
    if (getAddress(signer) !== account)
      throw new UserInputError('Signature is not from the voter', {
        signature: ['signed by another account (or for another proposal, support or nonce)'],
      });
    const chain = defineChain({
      id: gov.chainId,
      name: `opencep-${gov.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    });
    const wallet = createWalletClient({
      chain,
      transport: http(rpcUrl),
      account: privateKeyToAccount(relayerKey),
    });
    let txHash: Hex;
    try {
      txHash = await wallet.writeContract({
        address: gov.address,
        abi: GOVERNOR_ABI,
        functionName: 'castVoteBySig',
        args: [BigInt(pid), s, account, signature],
      });
    } catch (err) {
      const e = err as { shortMessage?: string; message?: string };
      ctx.log.info({ err }, 'castVoteBySig rejected');
      throw governanceError('VOTE_REJECTED', e.shortMessage ?? 'reverted');
    }
    const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 });
    if (receipt.status !== 'success')
      throw governanceError('VOTE_REJECTED', `transaction ${txHash} reverted`);
    return Object.assign(new RelayedVote(), {
      txHash,
      proposalId: pid,
      voter: account.toLowerCase(),
      support: s,
      blockNumber: Number(receipt.blockNumber),
    });
  }
}
