import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Arguments whose integer value multiplies the cost of the selection below them. */
const LIST_ARGS = new Set(['first', 'last', 'limit']);
/** Assumed list size when a list field has no size argument. */
const DEFAULT_LIST_SIZE = 20;

function fragmentsOf(ctx: ValidationContext): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of ctx.getDocument().definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

function listSize(field: FieldNode, variables: Record<string, unknown>): number | null {
  for (const arg of field.arguments ?? []) {
    if (!LIST_ARGS.has(arg.name.value)) continue;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    if (arg.value.kind === Kind.VARIABLE) {
      const v = variables[arg.value.name.value];
      if (typeof v === 'number') return v;
    }
    return DEFAULT_LIST_SIZE;
  }
  return null;
}

interface Measure {
  depth: number;
  cost: number;
}

function measure(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  seen: Set<string>,
): Measure {
  if (!set) return { depth: 0, cost: 0 };
  let depth = 0;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const inner = measure(sel.selectionSet, fragments, variables, seen);
      const size = listSize(sel, variables);
      depth = Math.max(depth, 1 + inner.depth);
      cost += 1 + inner.cost * (size ?? 1);
    } else {
      const frag =
        sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : fragments.get(sel.name.value)?.selectionSet;
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(sel.name.value)) continue; // cycles are reported by NoFragmentCycles
        seen = new Set(seen).add(sel.name.value);
      }
      const inner = measure(frag, fragments, variables, seen);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

/**
 * Rejects operations nested deeper than `maxDepth` (QUERY_TOO_DEEP) or costing more than
 * `maxComplexity` (QUERY_TOO_COMPLEX). Cost: 1 per field, children multiplied by `first`/`last`.
 */
export function limitsRule(opts: {
  maxDepth: number;
  maxComplexity: number;
  variables?: Record<string, unknown>;
}): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const m = measure(node.selectionSet, fragmentsOf(ctx), opts.variables ?? {}, new Set());
      if (m.depth > opts.maxDepth) {
        ctx.reportError(
          new GraphQLError(`Query depth ${m.depth} exceeds the limit of ${opts.maxDepth}`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', depth: m.depth, maxDepth: opts.maxDepth },
          }),
        );
      } else if (m.cost > opts.maxComplexity) {
        ctx.reportError(
          new GraphQLError(`Query complexity ${m.cost} exceeds the limit of ${opts.maxComplexity}`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX', complexity: m.cost, maxComplexity: opts.maxComplexity },
          }),
        );
      }
    },
  });
}

/** In-memory token bucket per identity (or client address for anonymous callers). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {}

  /** Takes one token; returns 0 when allowed, otherwise seconds until a token is available. */
  take(key: string, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.refillPerSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 50_000) this.sweep(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.refillPerSecond);
  }

  private sweep(now: number): void {
    const full = (this.capacity / this.refillPerSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at > full) this.buckets.delete(k);
  }
}
