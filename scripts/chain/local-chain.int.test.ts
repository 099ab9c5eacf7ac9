import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalChain } from './local-chain';

const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('local chain with journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencep-chain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays its journal after a restart into identical blocks, then keeps going', async () => {
    const first = await startLocalChain({ dataDir: dir, port: 0 });
    expect(first.replayed).toBe(0);
    const chain = defineChain({
      id: first.chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [first.url] } },
    });
    const pub = createPublicClient({ chain, transport: http(first.url) });
    const wallet = createWalletClient({
      chain,
      account: privateKeyToAccount(KEY0),
      transport: http(first.url),
    });
    for (let i = 0; i < 3; i++) await wallet.sendTransaction({ to: BOB, value: parseEther('1') });
    await pub.request({ method: 'evm_increaseTime', params: [7200] } as never);
    await pub.request({ method: 'evm_mine', params: [] } as never);
    const before = await pub.getBlock();
    const bobBefore = await pub.getBalance({ address: BOB });
    await first.stop();

    // A torn last line (crash mid-write) must be ignored, not break the replay.
    appendFileSync(join(dir, 'journal.jsonl'), '{"method":"eth_sendRawTr');

    const second = await startLocalChain({ dataDir: dir, port: 0 });
    expect(second.replayed).toBe(5);
    expect(second.consistent).toBe(true);
    const pub2 = createPublicClient({ chain, transport: http(second.url) });
    const after = await pub2.getBlock({ blockNumber: before.number });
    expect(after.hash).toBe(before.hash);
    expect(await pub2.getBalance({ address: BOB })).toBe(bobBefore);
    const wallet2 = createWalletClient({
      chain,
      account: privateKeyToAccount(KEY0),
      transport: http(second.url),
    });
    await wallet2.sendTransaction({ to: BOB, value: parseEther('1') });
    expect(await pub2.getBlockNumber()).toBe(before.number + 1n);
    await second.stop();
  });
});
