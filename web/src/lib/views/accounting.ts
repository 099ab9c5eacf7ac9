import type { InventoryRow } from '@/lib/graphql/operations';

/** "2026" for a year inventory, "2026-03" for a month. */
export function periodLabel(inv: Pick<InventoryRow, 'periodKind' | 'periodStart'>): string {
  return inv.periodKind === 'YEAR' ? inv.periodStart.slice(0, 4) : inv.periodStart.slice(0, 7);
}

export function shortHash(hash: string | null | undefined): string {
  if (!hash) return '—';
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}
