import { describe, expect, it } from 'vitest';
import { ConfigError, loadStartConfig, trustAnchorKey } from './config';

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
    expect(() => loadStartConfig({ ANCHOR_PRIVATE_KEY: 'abc' })).toThrow(/ANCHOR_PRIVATE_KEY/);
  });

  it('takes an anchoring key (trust jobs on any chain); none by default', () => {
    expect(loadStartConfig({}).ANCHOR_PRIVATE_KEY).toBeUndefined();
    const key = `0x${'ab'.repeat(32)}`;
    expect(loadStartConfig({ ANCHOR_PRIVATE_KEY: key }).ANCHOR_PRIVATE_KEY).toBe(key);
  });

  it('runs the trust jobs whenever an anchoring key is known, demo or not', () => {
    const dev = `0x${'0d'.repeat(32)}`;
    const key = `0x${'ab'.repeat(32)}`;
    const off = loadStartConfig({ DEMO: 'false' });
    expect(trustAnchorKey(off, true, dev)).toBe(dev); // local chain: the dev key stays the default
    expect(trustAnchorKey(off, false, dev)).toBeUndefined(); // another chain without a key: off
    const keyed = loadStartConfig({ DEMO: 'false', ANCHOR_PRIVATE_KEY: key });
    expect(trustAnchorKey(keyed, false, dev)).toBe(key);
    expect(trustAnchorKey(keyed, true, dev)).toBe(key);
  });
});
