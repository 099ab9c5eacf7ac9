/**
 * `npm run bench:gas -w contracts`: gas of the main operations on the in-process Hardhat network
 * (Cancun, optimizer 200 runs). Exits non-zero if an anchor costs more than 60,000 gas or if the
 * execution gas of anchors differs with the batch size.
 *
 * "total" is the transaction's gasUsed; "execution" is gasUsed minus the intrinsic cost
 * (21,000 + calldata: 4 per zero byte, 16 per non-zero byte), i.e. what the contract code costs.
 * Anchors of 1 / 1k / 100k leaves differ in total only by the calldata bytes of leafCount.
 */
import { mine, time } from '@nomicfoundation/hardhat-network-helpers';
import type { ContractTransactionResponse } from 'ethers';
import { ethers } from 'hardhat';
import {
  by,
  ENTERPRISE_ID,
  Kind,
  participantsFixture,
  STANDARD_ID,
  TIMELOCK_DELAY,
  VOTING_DELAY,
  VOTING_PERIOD,
} from '../test/fixtures';

const ANCHOR_LIMIT = 60_000n;

interface Row {
  operation: string;
  total: bigint;
  execution: bigint;
}

function intrinsic(data: string): bigint {
  const bytes = ethers.getBytes(data);
  let gas = 21_000n;
  for (const b of bytes) gas += b === 0 ? 4n : 16n;
  return gas;
}

async function measure(rows: Row[], operation: string, pending: Promise<ContractTransactionResponse>) {
  const tx = await pending;
  const receipt = await tx.wait();
  const total = receipt!.gasUsed;
  rows.push({ operation, total, execution: total - intrinsic(tx.data) });
}

async function main(): Promise<void> {
  const f = await participantsFixture();
  const rows: Row[] = [];
  const START = 1_767_225_600;
  const END = START + 3600;
  const ref = ethers.sha256(ethers.toUtf8Bytes('pack'));
  // Roots without zero bytes so that only leafCount changes the calldata between batch sizes.
  const root = (digit: number) => `0x${digit.toString(16).repeat(64)}`;

  const anchorRows: Row[] = [];
  for (const [i, leafCount] of [1, 1_000, 100_000].entries()) {
    await measure(
      anchorRows,
      `anchor (device, ${leafCount.toLocaleString('en')} leaves)`,
      by(f.attestations, f.device).anchor(
        ENTERPRISE_ID,
        root(i + 1),
        leafCount,
        START,
        END,
        Kind.Readings,
        ref,
      ),
    );
  }
  await measure(
    anchorRows,
    'anchor (admin, 1,000 leaves)',
    by(f.attestations, f.admin).anchor(ENTERPRISE_ID, root(4), 1_000, START, END, Kind.Report, ref),
  );
  rows.push(...anchorRows);
  await measure(
    rows,
    'supersede (report)',
    by(f.attestations, f.admin).supersede(
      ENTERPRISE_ID,
      root(4),
      root(5),
      1_000,
      START,
      END,
      ref,
      'corrected',
    ),
  );

  const calldata = f.standards.interface.encodeFunctionData('publishVersion', [
    STANDARD_ID,
    '1.0.0',
    ref,
    'ipfs://pack',
    0,
  ]);
  const targets = [await f.standards.getAddress()];
  const description = `# Publish standard bench version 1.0.0\nstandardId: ${STANDARD_ID}`;
  const descriptionHash = ethers.id(description);
  await measure(
    rows,
    'propose (publishVersion)',
    by(f.governor, f.members[0]!).propose(targets, [0n], [calldata], description),
  );
  const proposalId: bigint = await f.governor.hashProposal(targets, [0n], [calldata], descriptionHash);
  await mine(VOTING_DELAY + 1);
  await measure(rows, 'castVote', by(f.governor, f.members[0]!).castVote(proposalId, 1));
  const voter = f.members[1]!;
  const signature = await voter.signTypedData(
    {
      name: await f.governor.name(),
      version: await f.governor.version(),
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await f.governor.getAddress(),
    },
    {
      Ballot: [
        { name: 'proposalId', type: 'uint256' },
        { name: 'support', type: 'uint8' },
        { name: 'voter', type: 'address' },
        { name: 'nonce', type: 'uint256' },
      ],
    },
    { proposalId, support: 1, voter: voter.address, nonce: await f.governor.nonces(voter.address) },
  );
  await measure(
    rows,
    'castVoteBySig (relayed)',
    by(f.governor, f.deployer).castVoteBySig(proposalId, 1, voter.address, signature),
  );
  await mine(VOTING_PERIOD);
  await measure(rows, 'queue', f.governor.queue(targets, [0n], [calldata], descriptionHash));
  await time.increase(TIMELOCK_DELAY);
  await measure(
    rows,
    'execute (publishVersion)',
    f.governor.execute(targets, [0n], [calldata], descriptionHash),
  );
  await measure(
    rows,
    'issueQuota',
    by(f.quotas, f.regulator).issueQuota(ENTERPRISE_ID, 2026, 120_000_000_000n, 'allocation 2026'),
  );
  await measure(
    rows,
    'adjustQuota',
    by(f.quotas, f.regulator).adjustQuota(ENTERPRISE_ID, 2026, 110_000_000_000n, 'capacity retired'),
  );
  await measure(
    rows,
    'registerDevice',
    by(f.participants, f.admin).registerDevice(ENTERPRISE_ID, f.outsider.address),
  );

  const width = Math.max(...rows.map((r) => r.operation.length));
  console.log(`${'operation'.padEnd(width)}  ${'total gas'.padStart(10)}  ${'execution'.padStart(10)}`);
  console.log(`${'-'.repeat(width)}  ${'-'.repeat(10)}  ${'-'.repeat(10)}`);
  for (const r of rows) {
    console.log(
      `${r.operation.padEnd(width)}  ${r.total.toString().padStart(10)}  ${r.execution.toString().padStart(10)}`,
    );
  }

  const problems: string[] = [];
  for (const r of anchorRows)
    if (r.total > ANCHOR_LIMIT) problems.push(`${r.operation}: ${r.total} > ${ANCHOR_LIMIT}`);
  const deviceAnchors = anchorRows.slice(0, 3);
  if (new Set(deviceAnchors.map((r) => r.execution)).size !== 1) {
    problems.push('anchor execution gas depends on the batch size');
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`\nanchor: <= ${ANCHOR_LIMIT} gas and batch-size independent (execution gas equal) ✓`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
