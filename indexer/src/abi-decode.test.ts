import {
  type AbiEvent,
  encodeAbiParameters,
  encodeEventTopics,
  decodeEventLog,
  parseAbiItem,
  type Hex,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { compileEventDecoder } from './abi-decode';
import { jsonSafe } from './events';

const cases: { sig: string; args: Record<string, unknown> }[] = [
  {
    sig: 'event Anchored(bytes32 indexed enterpriseId, bytes32 indexed standardRef, uint64 indexed periodStart, bytes32 root, uint64 periodEnd, uint8 kind, uint48 leafCount, address submitter)',
    args: {
      enterpriseId: `0x${'ab'.repeat(32)}`,
      standardRef: `0x${'00'.repeat(32)}`,
      periodStart: 1_700_000_000n,
      root: `0x${'cd'.repeat(32)}`,
      periodEnd: 2n ** 64n - 1n,
      kind: 2,
      leafCount: 16n,
      submitter: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    },
  },
  {
    sig: 'event Signed(int256 a, int8 b, bool c, bytes4 d, address indexed who)',
    args: { a: -5n, b: -128, c: true, d: '0xc0ffee00', who: '0x0000000000000000000000000000000000000001' },
  },
  {
    sig: 'event VersionPublished(bytes32 indexed standardId, bytes32 indexed contentHash, uint256 indexed index, string version, string uri, uint64 effectiveFrom)',
    args: {
      standardId: `0x${'11'.repeat(32)}`,
      contentHash: `0x${'22'.repeat(32)}`,
      index: 3n,
      version: '1.2.0',
      uri: 'ipfs://x',
      effectiveFrom: 5n,
    },
  },
  {
    sig: 'event Dyn(string indexed label, address[] targets)',
    args: { label: 'hello', targets: ['0x0000000000000000000000000000000000000002'] },
  },
];

describe('compileEventDecoder', () => {
  it.each(cases)('decodes like viem: $sig', ({ sig, args }) => {
    const event = parseAbiItem(sig) as AbiEvent;
    const topics = encodeEventTopics({ abi: [event], eventName: event.name, args: args as never }) as Hex[];
    const plain = event.inputs.filter((p) => !p.indexed);
    const data = encodeAbiParameters(plain, plain.map((p) => args[p.name ?? '']) as never);
    const ours = compileEventDecoder(event)(topics, data);
    const viem = decodeEventLog({ abi: [event], topics: topics as [Hex, ...Hex[]], data }).args as Record<
      string,
      unknown
    >;
    expect(jsonSafe(ours)).toEqual(jsonSafe(viem));
  });

  it('rejects a log whose topics do not fit the event', () => {
    const event = parseAbiItem(cases[0]?.sig ?? '') as AbiEvent;
    expect(() => compileEventDecoder(event)(['0x00'], '0x')).toThrow(/topics/);
  });
});
