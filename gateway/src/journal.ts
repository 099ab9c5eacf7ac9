import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { ftruncateSync } from 'node:fs';
import { join } from 'node:path';

export interface JournalRecord<T> {
  /** byte offset just after this record: acknowledging it acknowledges everything before */
  end: number;
  items: T[];
}

/**
 * Append-only on-disk buffer. Each append is one JSON line, written and fsync'd before append()
 * returns, so a reading the gateway took survives kill -9 and power loss. The pushed position is a
 * separate file replaced atomically (write, fsync, rename). A torn last line (crash mid-write) has
 * no newline and is ignored, then overwritten. When everything is acknowledged the journal is
 * truncated; a crash in between leaves ack > size, which reads as "nothing pending".
 */
export class Journal<T> {
  private readonly file: string;
  private readonly ackFile: string;
  private fd: number;
  private size: number;
  private acked: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'journal.jsonl');
    this.ackFile = join(dir, 'journal.ack');
    this.fd = openSync(this.file, existsSync(this.file) ? 'r+' : 'w+');
    this.size = fstatSync(this.fd).size;
    this.acked = this.readAck();
    if (this.acked > this.size) this.acked = 0;
    // drop a torn tail so the next append starts on a line boundary
    const valid = this.validEnd();
    if (valid < this.size) {
      ftruncateSync(this.fd, valid);
      fsyncSync(this.fd);
      this.size = valid;
    }
  }

  private readAck(): number {
    if (!existsSync(this.ackFile)) return 0;
    const fd = openSync(this.ackFile, 'r');
    try {
      const buf = Buffer.alloc(32);
      const n = readSync(fd, buf, 0, 32, 0);
      const v = Number(buf.subarray(0, n).toString('utf8').trim());
      return Number.isFinite(v) && v >= 0 ? v : 0;
    } finally {
      closeSync(fd);
    }
  }

  private validEnd(): number {
    if (this.size === 0) return 0;
    const buf = Buffer.alloc(this.size);
    readSync(this.fd, buf, 0, this.size, 0);
    const lastNl = buf.lastIndexOf(0x0a);
    return lastNl + 1;
  }

  append(items: T[]): void {
    if (!items.length) return;
    const line = Buffer.from(`${JSON.stringify(items)}\n`, 'utf8');
    writeSync(this.fd, line, 0, line.length, this.size);
    fsyncSync(this.fd);
    this.size += line.length;
  }

  /** Unacknowledged records in order, up to about `maxItems` items. */
  pending(maxItems = Number.POSITIVE_INFINITY): JournalRecord<T>[] {
    const len = this.size - this.acked;
    if (len <= 0) return [];
    const buf = Buffer.alloc(len);
    readSync(this.fd, buf, 0, len, this.acked);
    const out: JournalRecord<T>[] = [];
    let start = 0;
    let count = 0;
    while (start < len && count < maxItems) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      const line = buf.subarray(start, nl).toString('utf8');
      start = nl + 1;
      let items: T[] = [];
      try {
        items = JSON.parse(line) as T[];
      } catch {
        items = [];
      }
      out.push({ end: this.acked + start, items });
      count += items.length;
    }
    return out;
  }

  get pendingBytes(): number {
    return this.size - this.acked;
  }

  /** Marks everything up to `end` as delivered. */
  ack(end: number): void {
    if (end <= this.acked) return;
    this.acked = end;
    if (this.acked >= this.size) {
      ftruncateSync(this.fd, 0);
      fsyncSync(this.fd);
      this.size = 0;
      this.acked = 0;
    }
    const tmp = `${this.ackFile}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, String(this.acked));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.ackFile);
  }

  close(): void {
    closeSync(this.fd);
  }
}
