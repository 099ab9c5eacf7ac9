import Decimal from 'decimal.js';

export interface FlowNode {
  id: string;
  /** Measured quantity of the node over the period (kWh, m³, t…); null when unmetered. */
  value: Decimal.Value | null;
}

export interface FlowEdge {
  from: string;
  to: string;
}

export interface UnbalanceResult {
  nodeId: string;
  parent: Decimal;
  childrenSum: Decimal;
  /** parent − Σ children (losses or unmetered loads when positive). */
  difference: Decimal;
  /** |difference| ÷ parent × 100; null when the parent reads zero. */
  percent: Decimal | null;
  unbalanced: boolean;
  /** Children without a value: the check is incomplete. */
  missingChildren: string[];
}

/**
 * Parent-versus-children balance for every node that has metered children (a distribution
 * feeder and its branches, a water main and its sub-meters). Flags nodes whose difference exceeds
 * `tolerancePercent` of the parent.
 */
export function checkUnbalance(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  tolerancePercent: Decimal.Value,
): UnbalanceResult[] {
  const tol = new Decimal(tolerancePercent);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const e of edges) children.set(e.from, [...(children.get(e.from) ?? []), e.to]);
  const out: UnbalanceResult[] = [];
  for (const [id, kids] of children) {
    const parent = byId.get(id);
    if (!parent || parent.value === null) continue;
    const p = new Decimal(parent.value);
    let sum = new Decimal(0);
    const missing: string[] = [];
    for (const k of kids) {
      const v = byId.get(k)?.value;
      if (v === null || v === undefined) missing.push(k);
      else sum = sum.plus(v);
    }
    const difference = p.minus(sum);
    const percent = p.isZero() ? null : difference.abs().div(p.abs()).times(100);
    const unbalanced = percent === null ? !difference.isZero() : percent.gt(tol);
    out.push({
      nodeId: id,
      parent: p,
      childrenSum: sum,
      difference,
      percent,
      unbalanced,
      missingChildren: missing,
    });
  }
  return out.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}
