import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import {
  type Abi,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  keccak256,
  parseEventLogs,
  toBytes,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointOf, type HardhatNode, startHardhatNode, waitFor } from '../test/chain';
import { startIndexer } from './index';

const artifacts = join(
  import.meta.dirname,
  '..',
  '..',
  'contracts',
  'artifacts',
  'src',
  'StandardsGovernor.sol',
);
const silent = { info() {}, warn() {}, error() {}, debug() {} };
/** OZ IGovernor.ProposalState, in enum order. */
const STATES = ['pending', 'active', 'canceled', 'defeated', 'succeeded', 'queued', 'expired', 'executed'];

// chain.proposal_state (mirrored data only) against StandardsGovernor.state() on a real deployment.
describe.skipIf(!existsSync(artifacts))('chain.proposal_state on the real governor', () => {
  let node: HardhatNode | undefined;
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await node?.stop();
    await db?.drop();
  });

  it('matches the governor state through a proposal lifecycle', async () => {
    const deploy = await import('../../contracts/deploy/index');
    [node, db] = await Promise.all([startHardhatNode(), createTestDatabase('indexer_proposal_state')]);
    const url = node.url;
    const outDir = mkdtempSync(join(tmpdir(), 'opencep-deploy-'));
    const d = await deploy.deployAll({
      rpcUrl: url,
      deployerKey: deploy.DEV_DEPLOYER_KEY,
      outDir,
      ...deploy.DEMO_SETTINGS,
    });
    const chain = defineChain({
      id: d.chainId,
      name: 'test',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [url] } },
    });
    const pub = createPublicClient({ chain, transport: http(url), cacheTime: 0 });
    const gov = {
      address: d.contracts.StandardsGovernor.address,
      abi: d.contracts.StandardsGovernor.abi as unknown as Abi,
    };
    const indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: url,
      deploymentFile: join(outDir, `${d.chainId}.json`),
      finalityDepth: 2,
      pollIntervalMs: 50,
      logger: silent,
    });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const synced = async () => {
        const head = Number(await pub.getBlockNumber());
        await waitFor(async () => (await checkpointOf(db?.url ?? '')) >= head, 20_000, `block ${head}`);
        return head;
      };
      /** The governor's state at the head (via viem) and chain.proposal_state at the same clock. */
      const both = async (id: bigint) => {
        await synced();
        // Nothing mines meanwhile, so both calls see the same clock (the head on Hardhat).
        const [onChain, clock] = await Promise.all([
          pub.readContract({ ...gov, functionName: 'state', args: [id] }),
          pub.readContract({ ...gov, functionName: 'clock' }),
        ]);
        const { rows } = await c.query(`SELECT chain.proposal_state($1, $2) AS state`, [
          id.toString(),
          String(clock),
        ]);
        return { chain: STATES[Number(onChain)], sql: rows[0]?.state as string | null };
      };
      const expectState = async (id: bigint, state: string) =>
        expect(await both(id)).toEqual({ chain: state, sql: state });

      const seed = await deploy.seedDemo({ rpcUrl: url, deployment: d });
      if (seed.proposalId === undefined) throw new Error('seed did not run a governance round');
      await expectState(seed.proposalId, 'executed');

      const [proposerKey, voterKey] = deploy.DEV_ROLES.members.map((m) => m.privateKey) as [Hex, Hex];
      const send = async (key: Hex, functionName: string, args: unknown[]) => {
        const wallet = createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(url) });
        const hash = await wallet.writeContract({ ...gov, functionName, args });
        const receipt = await pub.waitForTransactionReceipt({ hash });
        if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
        return receipt;
      };
      const testClient = createTestClient({ mode: 'hardhat', chain, transport: http(url) });
      // One hardhat_mine call for many blocks: its lazily reserved blocks report a zero parentHash,
      // which the follower must take in its stride.
      const mine = async (blocks: number) => testClient.mine({ blocks });
      const propose = async (description: string) => {
        const targets = [d.contracts.StandardsRegistry.address];
        const calldatas: Hex[] = ['0x'];
        const receipt = await send(proposerKey, 'propose', [targets, [0n], calldatas, description]);
        const [created] = parseEventLogs({ abi: gov.abi, eventName: 'ProposalCreated', logs: receipt.logs });
        const id = (created?.args as { proposalId?: bigint } | undefined)?.proposalId;
        if (id === undefined) throw new Error('no ProposalCreated');
        return id;
      };

      // Two proposals (voting delay 1, period 10): one nobody votes on, one with 2 of 5 votes For
      // (quorum 40% of 5 = 2, counted as For + Abstain).
      const silentId = await propose('# proposal-state test: no votes');
      const passingId = await propose('# proposal-state test: passes');
      await expectState(silentId, 'pending');
      await expectState(passingId, 'pending');
      await mine(1);
      await expectState(silentId, 'active');
      await expectState(passingId, 'pending');
      await send(proposerKey, 'castVote', [passingId, 1]);
      await send(voterKey, 'castVote', [passingId, 1]);
      await expectState(passingId, 'active');
      await mine(11);
      await expectState(silentId, 'defeated');
      await expectState(passingId, 'succeeded');

      // The view evaluates at the indexed head.
      const head = await synced();
      const { rows } = await c.query(
        `SELECT proposal_id::text AS id, state, event_state, state_at_block::int AS at
         FROM chain.proposal_with_state ORDER BY created_block`,
      );
      expect(rows).toEqual([
        { id: String(seed.proposalId), state: 'executed', event_state: 'executed', at: head },
        { id: String(silentId), state: 'defeated', event_state: 'pending', at: head },
        { id: String(passingId), state: 'succeeded', event_state: 'pending', at: head },
      ]);
      expect((await c.query(`SELECT chain.proposal_state(42, $1) AS s`, [head])).rows).toEqual([{ s: null }]);

      // Queued in the timelock, then never executed: Expired once the block time passes
      // ETA + EXECUTION_GRACE_PERIOD (strictly after; at exactly that second it is still Queued).
      const description = '# proposal-state test: passes';
      await send(proposerKey, 'queue', [
        [d.contracts.StandardsRegistry.address],
        [0n],
        ['0x'],
        keccak256(toBytes(description)),
      ]);
      await expectState(passingId, 'queued');
      const [eta, grace] = await Promise.all([
        pub.readContract({ ...gov, functionName: 'proposalEta', args: [passingId] }) as Promise<bigint>,
        pub.readContract({ ...gov, functionName: 'EXECUTION_GRACE_PERIOD' }) as Promise<bigint>,
      ]);
      expect(grace).toBe(14n * 24n * 3600n);
      await testClient.setNextBlockTimestamp({ timestamp: eta + grace });
      await mine(1);
      await expectState(passingId, 'queued');
      await testClient.setNextBlockTimestamp({ timestamp: eta + grace + 1n });
      await mine(1);
      await expectState(passingId, 'expired');
      const [expired] = (
        await c.query(`SELECT state, event_state FROM chain.proposal_with_state WHERE proposal_id = $1`, [
          String(passingId),
        ])
      ).rows;
      expect(expired).toEqual({ state: 'expired', event_state: 'queued' });
    } finally {
      await c.end();
      await indexer.stop();
    }
  }, 60_000);
});
