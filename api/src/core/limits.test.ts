import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { limitsRule, RateLimiter } from './limits';

const schema = buildSchema(`
  type Node { id: ID! children(first: Int): [Node!]! name: String }
  type Query { node: Node nodes(first: Int): [Node!]! }
`);
const check = (q: string, maxDepth = 4, maxComplexity = 100) =>
  validate(schema, parse(q), [...specifiedRules, limitsRule({ maxDepth, maxComplexity })]).map(
    (e) => e.extensions.code,
  );

describe('depth and complexity limits', () => {
  it('accepts a shallow cheap query', () => {
    expect(check('{ node { id children { id } } }')).toEqual([]);
  });
  it('rejects depth beyond the limit, also through fragments', () => {
    expect(check('{ node { children { children { children { children { id } } } } } }')).toEqual([
      'QUERY_TOO_DEEP',
    ]);
    expect(
      check(
        'fragment F on Node { children { children { children { id } } } } { node { children { ...F } } }',
      ),
    ).toEqual(['QUERY_TOO_DEEP']);
  });
  it('multiplies cost by list sizes', () => {
    expect(check('{ nodes(first: 100) { children(first: 100) { id } } }', 10, 5000)).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    expect(check('{ nodes(first: 10) { children(first: 10) { id } } }', 10, 5000)).toEqual([]);
  });
});

describe('token bucket', () => {
  it('allows capacity, then refuses with seconds to wait, then refills', () => {
    const rl = new RateLimiter(3, 1);
    const t = 1_000_000;
    expect([rl.take('a', t), rl.take('a', t), rl.take('a', t)]).toEqual([0, 0, 0]);
    expect(rl.take('a', t)).toBe(1);
    expect(rl.take('b', t)).toBe(0);
    expect(rl.take('a', t + 1_000)).toBe(0);
  });
});
