import { describe, expect, it } from 'vitest';
import { examplePath, packPath } from '../testing';
import { runCli } from './cli';

describe('accounting CLI', () => {
  const pack = packPath('cn-machinery-2015@1.0.0');
  const act = examplePath('machinery-plant-2023.activity.json');

  it('calc prints canonical inventory JSON, identical across runs', () => {
    const a = runCli(['calc', '--pack', pack, '--activity', act]);
    const b = runCli(['calc', '--pack', pack, '--activity', act]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const inv = JSON.parse(a.stdout) as { totals: { location: { exact: string } } };
    expect(inv.totals.location.exact).toBe('8480.1351584');
  });

  it('hash prints the pack hash; a wrong --expect-hash is refused with exit 2', () => {
    const h = runCli(['hash', '--pack', pack]);
    expect(h.stdout.trim()).toMatch(/^0x[0-9a-f]{64}$/);
    const r = runCli(['calc', '--pack', pack, '--activity', act, '--expect-hash', `0x${'0'.repeat(64)}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^PACK_HASH_MISMATCH/);
    expect(runCli(['calc', '--pack', pack, '--activity', act, '--expect-hash', h.stdout.trim()]).code).toBe(
      0,
    );
  });

  it('usage errors exit 64', () => {
    expect(runCli(['frobnicate']).code).toBe(64);
    expect(runCli(['calc', '--pack', pack]).code).toBe(64);
  });
});
