import { describe, expect, it } from 'vitest';
import { ConfigError, loadStartConfig } from './config';

describe('start configuration', () => {
  it('uses embedded defaults when nothing is set', () => {
    const c = loadStartConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.CHAIN_RPC_URL).toBeUndefined();
    expect(c.API_PORT).toBe(4000);
    expect(c.DEMO).toBe(true);
  });

  it('names the bad variable', () => {
    expect(() => loadStartConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadStartConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadStartConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadStartConfig({ DEPLOYER_PRIVATE_KEY: '0x12' })).toThrow(/DEPLOYER_PRIVATE_KEY/);
  });
});
