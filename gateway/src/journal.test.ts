import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleInt } from './collectors';
import { Journal } from './journal';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'opencep-journal-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Journal', () => {
  it('keeps unacknowledged records across reopen; ack then truncates', () => {
    const dir = tmp();
    const j = new Journal<number>(dir);
    j.append([1, 2]);
    j.append([3]);
    const recs = j.pending();
    expect(recs.map((r) => r.items)).toEqual([[1, 2], [3]]);
    j.ack(recs[0]!.end);
    j.close();
    const k = new Journal<number>(dir);
    expect(k.pending().map((r) => r.items)).toEqual([[3]]);
    k.ack(k.pending()[0]!.end);
    expect(k.pendingBytes).toBe(0);
    k.close();
  });

  it('ignores a torn last line (crash mid-write)', () => {
    const dir = tmp();
    const j = new Journal<number>(dir);
    j.append([1]);
    j.close();
    writeFileSync(join(dir, 'journal.jsonl'), `${readFileSync(join(dir, 'journal.jsonl'), 'utf8')}[2,3`);
    const k = new Journal<number>(dir);
    expect(k.pending().map((r) => r.items)).toEqual([[1]]);
    k.append([4]);
    expect(k.pending().map((r) => r.items)).toEqual([[1], [4]]);
    k.close();
  });

  it('survives kill -9: every append the writer reported is still there', async () => {
    const dir = tmp();
    const script = join(dir, 'writer.ts');
    writeFileSync(
      script,
      `import { Journal } from ${JSON.stringify(join(import.meta.dirname, 'journal.ts'))};
       const j = new Journal(${JSON.stringify(join(dir, 'j'))});
       let i = 0;
       setInterval(() => { j.append([i]); process.stdout.write(i + '\\n'); i++; }, 2);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (out.split('\n').length > 200) {
          clearInterval(t);
          res();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const reported = out.split('\n').filter(Boolean).map(Number);
    const j = new Journal<number>(join(dir, 'j'));
    const stored = j.pending().flatMap((r) => r.items);
    j.close();
    expect(stored.slice(0, reported.length)).toEqual(reported);
  }, 30_000);

  it('scales integer registers exactly', () => {
    expect(scaleInt(123456n, '0.1')).toBe('12345.6');
    expect(scaleInt(5n, '0.001')).toBe('0.005');
    expect(scaleInt(100n, '0.01')).toBe('1');
    expect(scaleInt(7n, '40')).toBe('280');
  });
});
