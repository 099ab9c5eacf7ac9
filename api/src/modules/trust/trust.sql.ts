import type pg from 'pg';

/** Connection-role database access for the trust jobs (batcher, anchor worker, tamper check). */
export type Pool = Pick<pg.Pool, 'connect' | 'query'>;

/** Runs `fn` in one transaction on a dedicated pooled connection. */
export async function tx<T>(pool: Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const to0x = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
