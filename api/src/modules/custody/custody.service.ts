import { uuidToBytes32 } from 'opencep-verify';
import type { DataSource } from 'typeorm';
import { type Account, getAddress, type Hex, isHex, parseAbi } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { RequestContext } from '../../core/context';
import { withSystem } from '../../core/db';
import { ForbiddenError, NotFoundError, UserInputError } from '../../core/errors';
import {
  BALLOT_TYPES,
  chainReader,
  chainRpc,
  chainWallet,
  EXTENDED_BALLOT_TYPES,
  GOVERNOR_ACTION_ABI,
  GOVERNOR_DOMAIN,
  GovernanceService,
  governanceError,
  governanceSettings,
  type ProposalActionKind,
  relayReasonedVote,
  sendProposalAction,
  shortReason,
} from '../governance';
import { quotaGrams } from './custody.amount';
import { custodySettings } from './custody.config';
import { KEY_VERSION, openKey, sealKey } from './custody.crypto';
import { custodyError } from './custody.errors';
import { AccountKey, AccountKeyVote, IssuedQuota, ProposalAction } from './custody.types';

type Queryable = Pick<DataSource, 'query'>;

const QUOTA_ABI = parseAbi([
  'function issueQuota(bytes32 enterpriseId, uint16 year, uint128 amount, string reason)',
]);
/** Roles whose members sign chain transactions and may hold a key. */
const SIGNER_ROLES = ['ASSOCIATION_MEMBER', 'REGULATOR'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function secret(): string {
  const s = custodySettings().encryptionSecret;
  if (!s) throw custodyError('CUSTODY_NOT_CONFIGURED');
  return s;
}

function callerUserId(ctx: RequestContext): string {
  if (ctx.identity.kind !== 'user') throw new ForbiddenError('Account keys belong to user logins');
  return ctx.identity.userId;
}

interface KeyRow {
  user_id: string;
  address: string;
  key_ciphertext: Buffer;
  key_iv: Buffer;
  key_tag: Buffer;
  created_at: Date;
}

function toAccountKey(r: { user_id: string; address: string; created_at: Date }): AccountKey {
  return Object.assign(new AccountKey(), {
    userId: r.user_id,
    address: getAddress(r.address),
    createdAt: r.created_at,
  } satisfies AccountKey);
}

/**
 * Account-held signing keys (docs/governance.md §Account keys). Keys are generated and used only
 * here, stored AES-256-GCM encrypted (custody.crypto.ts), read with the connection role (the tenant
 * role has no privilege on account_keys) and decrypted only for the one signature a mutation makes.
 * No field, log line or error carries a private key.
 */
export class CustodyService {
  /** Stores a sealed key for `userId`; ACCOUNT_KEY_EXISTS if the user already holds one. */
  static async storeKey(
    ds: Queryable,
    userId: string,
    privateKey: Hex,
    createdBy: string | null,
  ): Promise<AccountKey> {
    const address = privateKeyToAccount(privateKey).address.toLowerCase();
    const sealed = sealKey(privateKey, secret(), userId);
    const rows = (await ds.query(
      `INSERT INTO account_keys (user_id, address, key_ciphertext, key_iv, key_tag, key_version, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING user_id, address, created_at`,
      [userId, address, sealed.ciphertext, sealed.iv, sealed.tag, KEY_VERSION, createdBy],
    )) as { user_id: string; address: string; created_at: Date }[];
    const row = rows[0];
    if (!row) throw custodyError('ACCOUNT_KEY_EXISTS');
    return toAccountKey(row);
  }

  /** The decrypted account of `userId`, or null when the user holds no key. */
  static async heldAccount(ds: Queryable, userId: string): Promise<Account | null> {
    const rows = (await ds.query(
      `SELECT user_id, address, key_ciphertext, key_iv, key_tag, created_at FROM account_keys WHERE user_id = $1`,
      [userId],
    )) as KeyRow[];
    const r = rows[0];
    if (!r) return null;
    let key: Hex;
    try {
      key = openKey({ ciphertext: r.key_ciphertext, iv: r.key_iv, tag: r.key_tag }, secret(), userId);
    } catch {
      throw custodyError('ACCOUNT_KEY_UNREADABLE');
    }
    const account = privateKeyToAccount(key);
    if (account.address.toLowerCase() !== r.address) throw custodyError('ACCOUNT_KEY_UNREADABLE');
    return account;
  }

  private static async requireAccount(ctx: RequestContext): Promise<Account> {
    const userId = callerUserId(ctx);
    secret();
    const account = await withSystem(ctx.db, (em) => CustodyService.heldAccount(em, userId));
    if (!account) throw custodyError('NO_ACCOUNT_KEY');
    return account;
  }

  static async myAccountKey(ctx: RequestContext): Promise<AccountKey | null> {
    const userId = callerUserId(ctx);
    const rows = (await withSystem(ctx.db, (em) =>
      em.query(`SELECT user_id, address, created_at FROM account_keys WHERE user_id = $1`, [userId]),
    )) as { user_id: string; address: string; created_at: Date }[];
    return rows[0] ? toAccountKey(rows[0]) : null;
  }

  /** The caller creates their own key (members and regulators only). */
  static async createAccountKey(ctx: RequestContext): Promise<AccountKey> {
    const userId = callerUserId(ctx);
    if (!ctx.auth.has('governance:vote') && !ctx.auth.has('quota:issue'))
      throw custodyError('SIGNER_ROLE_REQUIRED');
    secret();
    const result = await withSystem(ctx.db, (em) =>
      CustodyService.storeKey(em, userId, generatePrivateKey(), userId),
    );
    ctx.log.info({ userId, address: result.address }, 'account key created');
    return result;
  }

  /** A platform admin provisions a key for a member or regulator login. */
  static async provisionAccountKey(ctx: RequestContext, userId: string): Promise<AccountKey> {
    if (!UUID.test(userId)) throw new UserInputError('Invalid user id', { userId: ['must be a UUID'] });
    secret();
    const result = await withSystem(ctx.db, async (em) => {
      const roles = (await em.query(
        `SELECT u.id, array_remove(array_agg(g.role), NULL) AS roles FROM users u
           LEFT JOIN role_grants g ON g.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
        [userId],
      )) as { id: string; roles: string[] }[];
      const user = roles[0];
      if (!user) throw new NotFoundError('User', userId);
      if (!user.roles.some((r) => (SIGNER_ROLES as readonly string[]).includes(r)))
        throw custodyError('SIGNER_ROLE_REQUIRED');
      return CustodyService.storeKey(em, userId, generatePrivateKey(), ctx.auth.actorId);
    });
    ctx.log.info({ userId, address: result.address, by: ctx.auth.actorId }, 'account key provisioned');
    return result;
  }

  /**
   * Signs the member's EIP-712 ballot with the held key and relays it: a Ballot through
   * relayVoteBySig (castVoteBySig) without a reason, an ExtendedBallot through
   * castVoteWithReasonAndParamsBySig with one. The relayer pays; the held key only signs.
   */
  static async castVote(
    ctx: RequestContext,
    proposalId: string,
    support: number,
    reason: string,
  ): Promise<AccountKeyVote> {
    if (!/^\d{1,78}$/.test(proposalId))
      throw new UserInputError('Invalid proposal id', { proposalId: ['must be a uint256 in decimal'] });
    if (support !== 0 && support !== 1 && support !== 2)
      throw new UserInputError('Invalid support', { support: ['0 against, 1 for, 2 abstain'] });
    if (reason.length > 1000)
      throw new UserInputError('Invalid reason', { reason: ['at most 1000 characters'] });
    // same refusal as relayVoteBySig, before any key is decrypted
    if (!governanceSettings().relayerKey) throw governanceError('RELAYER_NOT_CONFIGURED');
    const account = await CustodyService.requireAccount(ctx);
    const rpcUrl = chainRpc();
    const gov = await GovernanceService.governor(ctx.db);
    const nonce = await chainReader(rpcUrl).readContract({
      address: gov.address,
      abi: GOVERNOR_ACTION_ABI,
      functionName: 'nonces',
      args: [account.address],
    });
    const domain = { ...GOVERNOR_DOMAIN, chainId: gov.chainId, verifyingContract: gov.address };
    const sign = account.signTypedData;
    if (!sign) throw custodyError('ACCOUNT_KEY_UNREADABLE');
    let txHash: string;
    let blockNumber: number;
    if (reason === '') {
      const signature = await sign({
        domain,
        types: BALLOT_TYPES,
        primaryType: 'Ballot',
        message: { proposalId: BigInt(proposalId), support, voter: account.address, nonce },
      });
      const relayed = await GovernanceService.relayVoteBySig(
        ctx,
        proposalId,
        support,
        account.address,
        signature,
      );
      txHash = relayed.txHash;
      blockNumber = relayed.blockNumber;
    } else {
      const signature = await sign({
        domain,
        types: EXTENDED_BALLOT_TYPES,
        primaryType: 'ExtendedBallot',
        message: {
          proposalId: BigInt(proposalId),
          support,
          voter: account.address,
          nonce,
          reason,
          params: '0x',
        },
      });
      ({ txHash, blockNumber } = await relayReasonedVote(ctx, {
        proposalId: BigInt(proposalId),
        support,
        voter: account.address,
        reason,
        signature,
      }));
    }
    return Object.assign(new AccountKeyVote(), {
      txHash,
      proposalId,
      voter: account.address.toLowerCase(),
      support,
      reason,
      blockNumber,
    } satisfies AccountKeyVote);
  }

  /** Governor.queue / execute, sent from the caller's held key, else from the relayer key. */
  static async proposalAction(
    ctx: RequestContext,
    action: ProposalActionKind,
    proposalId: string,
  ): Promise<ProposalAction> {
    const userId = callerUserId(ctx);
    const held = custodySettings().encryptionSecret
      ? await withSystem(ctx.db, (em) => CustodyService.heldAccount(em, userId))
      : null;
    let sender: Account | null = held;
    if (!sender) {
      const relayerKey = governanceSettings().relayerKey;
      if (!relayerKey) throw custodyError('NO_ACCOUNT_KEY', 'and no relayer key is configured');
      sender = privateKeyToAccount(relayerKey);
    }
    const sent = await sendProposalAction(ctx, action, proposalId, sender);
    return Object.assign(new ProposalAction(), {
      proposalId,
      action,
      txHash: sent.txHash,
      sender: sender.address.toLowerCase(),
      blockNumber: sent.blockNumber,
    } satisfies ProposalAction);
  }

  /** QuotaRegistry address: configured, else the contract the indexer mirrored quota events from. */
  private static async quotaRegistry(ctx: RequestContext): Promise<Hex> {
    const configured = custodySettings().quotaRegistryAddress;
    if (configured) return getAddress(configured);
    const rows = (await ctx.db.query(
      `SELECT address FROM chain.log WHERE contract = 'QuotaRegistry' LIMIT 1`,
    )) as { address: string }[];
    const address = rows[0]?.address;
    if (!address || !isHex(address)) throw custodyError('QUOTA_REGISTRY_UNKNOWN');
    return getAddress(address);
  }

  /** QuotaRegistry.issueQuota sent from the regulator's held key; the contract checks REGULATOR_ROLE. */
  static async issueQuota(
    ctx: RequestContext,
    enterpriseId: string,
    year: number,
    amount: string,
    reason: string,
  ): Promise<IssuedQuota> {
    if (!UUID.test(enterpriseId))
      throw new UserInputError('Invalid enterprise id', { enterpriseId: ['must be a UUID'] });
    if (!Number.isInteger(year) || year < 2000 || year > 2200)
      throw new UserInputError('Invalid year', { year: ['2000–2200'] });
    const grams = quotaGrams(amount);
    if (reason.length > 1000)
      throw new UserInputError('Invalid reason', { reason: ['at most 1000 characters'] });
    const map = governanceSettings().onChainEnterpriseIds;
    const chainId = (map ? map(enterpriseId)[0] : undefined) ?? (uuidToBytes32(enterpriseId) as Hex);
    const account = await CustodyService.requireAccount(ctx);
    const rpcUrl = chainRpc();
    const registry = await CustodyService.quotaRegistry(ctx);
    const reader = chainReader(rpcUrl);
    const wallet = chainWallet(rpcUrl, await reader.getChainId(), account);
    let txHash: Hex;
    try {
      txHash = await wallet.writeContract({
        address: registry,
        abi: QUOTA_ABI,
        functionName: 'issueQuota',
        args: [chainId, year, grams, reason],
      });
    } catch (err) {
      ctx.log.info({ reason: shortReason(err), enterpriseId, year }, 'issueQuota rejected');
      throw custodyError('QUOTA_REJECTED', shortReason(err));
    }
    const receipt = await reader.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 });
    if (receipt.status !== 'success') throw custodyError('QUOTA_REJECTED', `transaction ${txHash} reverted`);
    ctx.log.info({ enterpriseId, year, txHash }, 'quota issued with account key');
    return Object.assign(new IssuedQuota(), {
      enterpriseId,
      chainEnterpriseId: chainId.toLowerCase(),
      year,
      amountGrams: grams.toString(),
      txHash,
      regulator: account.address.toLowerCase(),
      blockNumber: Number(receipt.blockNumber),
    } satisfies IssuedQuota);
  }
}
