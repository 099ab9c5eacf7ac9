/**
 * The portal's environment, validated once. Nothing else in web/ reads `process.env`.
 *
 * | variable               | default                          | meaning                                               |
 * |------------------------|----------------------------------|-------------------------------------------------------|
 * | OPENCEP_API_URL        | http://127.0.0.1:4000/graphql    | GraphQL HTTP endpoint the portal SERVER calls         |
 * | OPENCEP_API_WS_URL     | OPENCEP_API_URL with http→ws     | graphql-ws endpoint the BROWSER connects to (public)  |
 * | OPENCEP_TIME_ZONE      | Asia/Shanghai                    | IANA zone dates and times are displayed in            |
 * | OPENCEP_CHAIN_RPC_URL  | (none)                           | EVM JSON-RPC the BROWSER reads anchors from (public)  |
 * | OPENCEP_QUOTA_REGISTRY | (none)                           | QuotaRegistry address the regulator's wallet calls    |
 *
 * Both are read at request time (not inlined at build), so one `next build` serves any deployment.
 * The browser URL must be reachable from users' browsers; it also goes into the CSP `connect-src`.
 */
function readUrl(name: string, value: string | undefined, fallback: string, protocols: string[]): string {
  const raw = value && value.trim() !== '' ? value.trim() : fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a valid URL: ${raw}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new Error(`${name} must use ${protocols.join(' or ')}: ${raw}`);
  }
  return url.toString();
}

export interface PortalConfig {
  apiUrl: string;
  apiWsUrl: string;
  /** Origin (scheme://host:port) of the ws URL, for the CSP. */
  apiWsOrigin: string;
  timeZone: string;
  /** Chain JSON-RPC for in-browser proof checks and wallet transactions (null: not configured). */
  chainRpcUrl: string | null;
  /** Origin of chainRpcUrl, for the CSP. */
  chainRpcOrigin: string | null;
  /** QuotaRegistry contract address (null: quota issuance not configured). */
  quotaRegistry: `0x${string}` | null;
  isDev: boolean;
}

let cached: PortalConfig | undefined;

export function config(): PortalConfig {
  if (cached) return cached;
  const apiUrl = readUrl('OPENCEP_API_URL', process.env.OPENCEP_API_URL, 'http://127.0.0.1:4000/graphql', [
    'http:',
    'https:',
  ]);
  const derivedWs = apiUrl.replace(/^http/, 'ws');
  const apiWsUrl = readUrl('OPENCEP_API_WS_URL', process.env.OPENCEP_API_WS_URL, derivedWs, ['ws:', 'wss:']);
  const ws = new URL(apiWsUrl);
  const timeZone = process.env.OPENCEP_TIME_ZONE?.trim() || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`OPENCEP_TIME_ZONE is not an IANA time zone: ${timeZone}`);
  }
  const rawRpc = process.env.OPENCEP_CHAIN_RPC_URL?.trim();
  const chainRpcUrl = rawRpc ? readUrl('OPENCEP_CHAIN_RPC_URL', rawRpc, rawRpc, ['http:', 'https:']) : null;
  const rpc = chainRpcUrl ? new URL(chainRpcUrl) : null;
  const rawQuota = process.env.OPENCEP_QUOTA_REGISTRY?.trim();
  if (rawQuota && !/^0x[0-9a-fA-F]{40}$/.test(rawQuota)) {
    throw new Error(`OPENCEP_QUOTA_REGISTRY is not a 20-byte hex address: ${rawQuota}`);
  }
  cached = {
    apiUrl,
    apiWsUrl,
    apiWsOrigin: `${ws.protocol}//${ws.host}`,
    timeZone,
    chainRpcUrl,
    chainRpcOrigin: rpc ? `${rpc.protocol}//${rpc.host}` : null,
    quotaRegistry: rawQuota ? (rawQuota as `0x${string}`) : null,
    isDev: process.env.NODE_ENV === 'development',
  };
  return cached;
}
