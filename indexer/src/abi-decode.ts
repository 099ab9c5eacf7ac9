import { type AbiEvent, type AbiParameter, decodeAbiParameters, type Hex } from 'viem';

/**
 * Event-log decoding compiled once per event. viem's decodeEventLog recomputes every ABI item's
 * selector and checksums addresses on each call, which dominates backfill CPU; events whose
 * parameters are static elementary types (most OpenCEP events) are decoded here word by word,
 * the others through viem's decodeAbiParameters. Addresses come out lowercase.
 */
export type DecodedArgs = Record<string, unknown>;

const isStatic = (t: string) => /^(address|bool|u?int\d*|bytes([1-9]|[12]\d|3[0-2]))$/.test(t);

function word(type: string, w: string): unknown {
  if (type === 'address') return `0x${w.slice(24)}`;
  if (type === 'bool') return w[63] === '1';
  // Like viem: integers of up to 48 bits are numbers, wider ones bigints.
  if (type.startsWith('uint')) {
    const bits = Number(type.slice(4) || 256);
    return bits <= 48 ? Number.parseInt(w.slice(52), 16) : BigInt(`0x${w}`);
  }
  if (type.startsWith('int')) {
    const bits = Number(type.slice(3) || 256);
    const v = BigInt(`0x${w}`);
    const top = 1n << BigInt(bits - 1);
    const masked = v & ((1n << BigInt(bits)) - 1n);
    const signed = masked >= top ? masked - (1n << BigInt(bits)) : masked;
    return bits <= 48 ? Number(signed) : signed;
  }
  // bytesN: left-aligned
  const n = Number(type.slice(5));
  return `0x${w.slice(0, n * 2)}`;
}

export function compileEventDecoder(event: AbiEvent): (topics: string[], data: string) => DecodedArgs {
  const indexed = event.inputs.filter((p) => p.indexed);
  const plain = event.inputs.filter((p) => !p.indexed) as AbiParameter[];
  const names = event.inputs.map((p, i) => p.name || String(i));
  const nameOf = new Map(event.inputs.map((p, i) => [p, names[i] ?? String(i)]));
  const allStatic = plain.every((p) => isStatic(p.type));
  return (topics, data) => {
    if (topics.length !== indexed.length + 1) {
      throw new Error(`${event.name}: expected ${indexed.length + 1} topics, got ${topics.length}`);
    }
    const args: DecodedArgs = {};
    indexed.forEach((p, i) => {
      const topic = (topics[i + 1] ?? '').toLowerCase();
      // Indexed dynamic values are stored as their keccak256 hash: keep the hash.
      args[nameOf.get(p) ?? ''] = isStatic(p.type) ? word(p.type, topic.slice(2)) : topic;
    });
    if (!plain.length) return args;
    if (allStatic) {
      const hex = data.slice(2).toLowerCase();
      if (hex.length < plain.length * 64) throw new Error(`${event.name}: data too short`);
      plain.forEach((p, i) => {
        args[nameOf.get(p) ?? ''] = word(p.type, hex.slice(i * 64, i * 64 + 64));
      });
    } else {
      const values = decodeAbiParameters(plain, data as Hex);
      plain.forEach((p, i) => {
        args[nameOf.get(p) ?? ''] = values[i];
      });
    }
    return args;
  };
}
