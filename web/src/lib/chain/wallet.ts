/**
 * EIP-1193 provider injected by a browser wallet (MetaMask & co.). Client-side only: the portal
 * never holds a private key; the wallet signs and sends, the page only builds the request.
 */
export interface InjectedWallet {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export function injectedWallet(): InjectedWallet | null {
  const w = (globalThis as { ethereum?: InjectedWallet }).ethereum;
  return w && typeof w.request === 'function' ? w : null;
}

/** The first account the wallet exposes (asks the user to connect). */
export async function walletAccount(wallet: InjectedWallet): Promise<`0x${string}`> {
  const accounts = (await wallet.request({ method: 'eth_requestAccounts' })) as string[];
  const a = accounts[0];
  if (!a || !/^0x[0-9a-fA-F]{40}$/.test(a)) throw new Error('the wallet exposed no account');
  return a as `0x${string}`;
}

interface Receipt {
  status: string;
  blockNumber: string;
}

/** Polls the wallet's node for the receipt of a sent transaction (about 1 minute at most). */
export async function waitForReceipt(
  wallet: InjectedWallet,
  hash: string,
): Promise<{ ok: boolean; blockNumber: number }> {
  for (let i = 0; i < 120; i++) {
    const r = (await wallet.request({
      method: 'eth_getTransactionReceipt',
      params: [hash],
    })) as Receipt | null;
    if (r) return { ok: r.status === '0x1', blockNumber: Number.parseInt(r.blockNumber, 16) };
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`no receipt for ${hash}`);
}

/** A wallet error's short text (EIP-1193 errors carry `message`, sometimes nested). */
export function walletError(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string; data?: { message?: string } };
  return (e?.data?.message ?? e?.shortMessage ?? e?.message ?? String(err)).split('\n')[0] ?? 'error';
}
