'use client';

import { type Client, createClient } from 'graphql-ws';

/**
 * One graphql-ws connection per tab, shared by every live chart. The access token lives in an
 * HttpOnly cookie, so each (re)connect asks the portal for the current token (refreshed by the
 * proxy when due) and passes it in connectionParams.
 */
let shared: { client: Client; url: string } | null = null;
let connected = false;

/** Whether the shared socket is open now (charts mounted after the 'connected' event ask this). */
export function isConnected(): boolean {
  return connected;
}

interface TokenAnswer {
  token: string;
  url: string;
}

async function fetchToken(): Promise<TokenAnswer> {
  const res = await fetch('/api/auth/ws-token', { cache: 'no-store', credentials: 'same-origin' });
  if (res.status === 401 || res.redirected) {
    window.location.assign('/login?expired=1');
    throw new Error('session expired');
  }
  if (!res.ok) throw new Error(`ws-token ${res.status}`);
  return (await res.json()) as TokenAnswer;
}

export function liveClient(url: string): Client {
  if (shared && shared.url === url) return shared.client;
  shared?.client.dispose();
  connected = false;
  const client = createClient({
    url,
    lazy: true,
    lazyCloseTimeout: 5_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: async () => {
      const { token } = await fetchToken();
      return { authorization: `Bearer ${token}` };
    },
  });
  client.on('connected', () => {
    connected = true;
  });
  client.on('closed', () => {
    connected = false;
  });
  shared = { client, url };
  return client;
}
