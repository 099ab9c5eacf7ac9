import { type AbiEvent, type AbiParameter, decodeAbiParameters, type Hex } from 'viem';

/**
 * Event-log decoding compiled once per event. viem's decodeEventLog recomputes every ABI item's
 * selector and checksums addresses on each call, which dominates backfill CPU; events whose
 * parameters are static elementary types (most OpenCEP events) are decoded here word by word,
 * the others through viem's decodeAbiParameters. Addresses come out lowercase.
 */
export type DecodedArgs = Record<string, unknown>;

const isStatic = (t: string) => /^(address|bool|u?int\d*|bytes([1-9]|[12]\d|3[0-2]))$/.test(t);

/** A reader of one 32-byte word (64 lowercase hex chars) of a static elementary type, built once per type. */
function wordReader(type: string): (w: string) => unknown {
  if (type === 'address') return (w) => `0x${w.slice(24)}`;
  if (type === 'bool') return (w) => w.charCodeAt(63) === 49; // '1'
  // Like viem: integers of up to 48 bits are numbers, wider ones bigints.
  if (type.startsWith('uint')) {
    const bits = Number(type.slice(4) || 256);
    return bits <= 48 ? (w) => Number.parseInt(w.slice(52), 16) : (w) => BigInt(`0x${w}`);
  }
  if (type.startsWith('int')) {
    const bits = Number(type.slice(3) || 256);
    const top = 1n << BigInt(bits - 1);
    const mask = (1n << BigInt(bits)) - 1n;
    const span = 1n << BigInt(bits);
    return (w) => {
      const masked = BigInt(`0x${w}`) & mask;
      const signed = masked >= top ? masked - span : masked;
      return bits <= 48 ? Number(signed) : signed;
    };
  }
  // bytesN: left-aligned
  const n = Number(type.slice(5));
  return (w) => `0x${w.slice(0, n * 2)}`;
}

/** Lowercase hex (nodes send lowercase; some send checksummed addresses). */
export const lower = (v: string): string => v.toLowerCase();

export function compileEventDecoder(event: AbiEvent): (topics: string[], data: string) => DecodedArgs {
  const names = event.inputs.map((p, i) => p.name || String(i));
  const indexed = event.inputs
    .map((p, i) => ({ p, name: names[i] ?? String(i) }))
    .filter(({ p }) => p.indexed)
    .map(({ p, name }) => ({
      name,
      // Indexed dynamic values are stored as their keccak256 hash: keep the hash.
      read: isStatic(p.type) ? wordReader(p.type) : (w: string) => `0x${w}`,
    }));
  const plainParams = event.inputs.filter((p) => !p.indexed) as AbiParameter[];
  const plain = event.inputs
    .map((p, i) => ({ p, name: names[i] ?? String(i) }))
    .filter(({ p }) => !p.indexed)
    .map(({ p, name }) => ({ name, read: isStatic(p.type) ? wordReader(p.type) : undefined }));
  const allStatic = plain.every((p) => p.read);
  const expectedTopics = indexed.length + 1;
  const minData = plain.length * 64;
  return (topics, data) => {
    if (topics.length !== expectedTopics) {
      throw new Error(`${event.name}: expected ${expectedTopics} topics, got ${topics.length}`);
    }
    const args: DecodedArgs = {};
    for (let i = 0; i < indexed.length; i++) {
      const d = indexed[i];
      if (d) args[d.name] = d.read(lower(topics[i + 1] ?? '').slice(2));
    }
    if (!plain.length) return args;
    if (allStatic) {
      const hex = lower(data).slice(2);
      if (hex.length < minData) throw new Error(`${event.name}: data too short`);
      for (let i = 0; i < plain.length; i++) {
        const d = plain[i];
        if (d?.read) args[d.name] = d.read(hex.slice(i * 64, i * 64 + 64));
      }
    } else {
      const values = decodeAbiParameters(plainParams, data as Hex);
      for (let i = 0; i < plain.length; i++) {
        const d = plain[i];
        if (d) args[d.name] = values[i];
      }
    }
    return args;
  };
}
