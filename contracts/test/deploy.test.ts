import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ethers, network } from 'hardhat';
import * as committedAbis from '../abi';
import {
  DEMO_ENTERPRISE_ID,
  DEMO_QUOTA_GRAMS,
  DEMO_STANDARD,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  type Deployment,
  deployAll,
  deploymentPath,
  parseStandardProposalDescription,
  seedDemo,
  standardIdOf,
  standardProposalDescription,
} from '../deploy';
import { staleAbis } from '../scripts/export-abis';

interface RpcRequest {
  id: number | string;
  method: string;
  params?: unknown[];
}

/** A tiny HTTP JSON-RPC server in front of the in-process Hardhat network; records the methods called. */
async function startRpcServer() {
  const methods: string[] = [];
  const handle = async (r: RpcRequest) => {
    methods.push(r.method);
    try {
      return {
        jsonrpc: '2.0',
        id: r.id,
        result: await network.provider.request({ method: r.method, params: r.params }),
      };
    } catch (e) {
      const err = e as { code?: number; message: string; data?: unknown };
      return {
        jsonrpc: '2.0',
        id: r.id,
        error: { code: err.code ?? -32603, message: err.message, data: err.data },
      };
    }
  };
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const payload = JSON.parse(body) as RpcRequest | RpcRequest[];
    const out = Array.isArray(payload) ? await Promise.all(payload.map(handle)) : await handle(payload);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(out));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, methods, close: () => new Promise((r) => server.close(r)) };
}

describe('deploy library (viem)', () => {
  let rpc: Awaited<ReturnType<typeof startRpcServer>>;
  let outDir: string;
  let deployment: Deployment;

  before(async () => {
    rpc = await startRpcServer();
    outDir = mkdtempSync(path.join(os.tmpdir(), 'opencep-deploy-'));
  });
  after(async () => {
    await rpc.close();
  });

  it('deployAll deploys everything, hands admin to the timelock and writes deployments/<chainId>.json', async () => {
    deployment = await deployAll({ rpcUrl: rpc.url, deployerKey: DEV_DEPLOYER_KEY, outDir });
    const file = deploymentPath(31337, outDir);
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
    expect(onDisk).to.deep.equal(deployment);
    expect(deployment.chainId).to.equal(31337);
    expect(deployment.genesisHash).to.equal((await ethers.provider.getBlock(0))!.hash);
    expect(Object.keys(deployment.contracts)).to.have.members([
      'Timelock',
      'AssociationMembership',
      'StandardsGovernor',
      'StandardsRegistry',
      'ParticipantRegistry',
      'QuotaRegistry',
      'AttestationRegistry',
    ]);
    for (const c of Object.values(deployment.contracts)) {
      expect(await ethers.provider.getCode(c.address)).to.not.equal('0x');
      expect(c.blockNumber).to.be.at.least(deployment.deployedAtBlock);
      expect(c.abi.length).to.be.greaterThan(0);
      expect(c.txHash).to.match(/^0x[0-9a-f]{64}$/);
    }
    const deployer = DEV_ROLES.deployer.address;
    const timelockAddress = deployment.contracts.Timelock.address;
    const at = (name: keyof Deployment['contracts']) =>
      ethers.getContractAt(name, deployment.contracts[name].address);
    const timelock = await at('Timelock');
    const participants = await at('ParticipantRegistry');
    expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer)).to.equal(false);
    for (const role of ['DEFAULT_ADMIN_ROLE', 'REGULATOR_ADMIN_ROLE', 'REGISTRAR_ROLE']) {
      const id = await participants.getFunction(role)();
      expect(await participants.hasRole(id, timelockAddress)).to.equal(true);
      expect(await participants.hasRole(id, deployer)).to.equal(false);
    }
    expect(await (await at('StandardsRegistry')).owner()).to.equal(timelockAddress);
    expect(await (await at('AssociationMembership')).owner()).to.equal(timelockAddress);
    const membership = await at('AssociationMembership');
    for (const member of DEV_ROLES.members) expect(await membership.getVotes(member.address)).to.equal(1n);
  });

  it('deployAll is idempotent: an existing live deployment is returned without transactions', async () => {
    const before = await ethers.provider.getBlockNumber();
    const again = await deployAll({ rpcUrl: rpc.url, deployerKey: DEV_DEPLOYER_KEY, outDir });
    expect(again).to.deep.equal(deployment);
    expect(await ethers.provider.getBlockNumber()).to.equal(before);
  });

  it('deployAll redeploys when the file belongs to another chain (genesis changed)', async () => {
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'opencep-deploy-'));
    writeFileSync(
      deploymentPath(31337, otherDir),
      JSON.stringify({ ...deployment, genesisHash: ethers.ZeroHash }),
    );
    const fresh = await deployAll({ rpcUrl: rpc.url, deployerKey: DEV_DEPLOYER_KEY, outDir: otherDir });
    expect(fresh.contracts.Timelock.address).to.not.equal(deployment.contracts.Timelock.address);
  });

  it('seedDemo runs one governance round and seeds the demo, idempotently, with raw transactions only', async () => {
    const result = await seedDemo({ rpcUrl: rpc.url, deployment });
    expect(result.seeded).to.equal(true);
    expect(result.enterpriseId).to.equal(DEMO_ENTERPRISE_ID);
    const governor = await ethers.getContractAt(
      'StandardsGovernor',
      deployment.contracts.StandardsGovernor.address,
    );
    expect(await governor.state(result.proposalId!)).to.equal(7n); // Executed
    expect(await governor.hasVoted(result.proposalId!, DEV_ROLES.members[1].address)).to.equal(true);
    const standards = await ethers.getContractAt(
      'StandardsRegistry',
      deployment.contracts.StandardsRegistry.address,
    );
    const active = await standards.activeVersionAt(standardIdOf(DEMO_STANDARD.code), 1_800_000_000);
    expect(active.contentHash).to.equal(DEMO_STANDARD.contentHash);
    const participants = await ethers.getContractAt(
      'ParticipantRegistry',
      deployment.contracts.ParticipantRegistry.address,
    );
    expect(
      await participants.isEnterpriseAdmin(DEMO_ENTERPRISE_ID, DEV_ROLES.enterpriseAdmin.address),
    ).to.equal(true);
    expect(await participants.isDevice(DEMO_ENTERPRISE_ID, DEV_ROLES.device.address)).to.equal(true);
    expect(await participants.isRegulator(DEV_ROLES.regulator.address)).to.equal(true);
    expect(await participants.isVerifier(DEV_ROLES.verifier.address)).to.equal(true);
    const quotas = await ethers.getContractAt('QuotaRegistry', deployment.contracts.QuotaRegistry.address);
    const year = new Date(
      Number((await ethers.provider.getBlock('latest'))!.timestamp) * 1000,
    ).getUTCFullYear();
    expect((await quotas.quotaOf(DEMO_ENTERPRISE_ID, year)).amount).to.equal(DEMO_QUOTA_GRAMS);

    const blocks = await ethers.provider.getBlockNumber();
    const again = await seedDemo({ rpcUrl: rpc.url, deployment });
    expect(again.seeded).to.equal(false);
    expect(await ethers.provider.getBlockNumber()).to.equal(blocks);
    expect(rpc.methods).to.include('eth_sendRawTransaction');
    expect(rpc.methods).to.not.include('eth_sendTransaction');
  });

  it('builds and parses standard proposal descriptions', () => {
    const description = standardProposalDescription(DEMO_STANDARD, 'why');
    expect(description.split('\n')[0]).to.equal('# Publish standard opencep-demo version 1.0.0');
    expect(parseStandardProposalDescription(description)).to.deep.equal({
      standardId: standardIdOf('opencep-demo'),
      version: '1.0.0',
      contentHash: DEMO_STANDARD.contentHash,
      uri: DEMO_STANDARD.uri,
    });
    expect(parseStandardProposalDescription('# something else')).to.equal(undefined);
    expect(standardIdOf('plant')).to.equal(ethers.id('plant'));
  });

  it('the committed typed ABIs (contracts/abi) match the artifacts', () => {
    expect(staleAbis(committedAbis as Record<string, unknown>)).to.deep.equal([]);
  });
});
