/**
 * Plant-structure drill-down (energy): plant → site → area (workshop) → line → equipment. The URL
 * carries the path of ids (`?path=site,area,line`), so every level is a link and the browser's
 * back button walks up.
 */
export const LEVELS = ['SITE', 'AREA', 'LINE', 'EQUIPMENT'] as const;
export type Level = (typeof LEVELS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses `?path=`: at most three UUIDs (site, area, line); anything else means the plant level. */
export function parsePath(raw: string | string[] | undefined): string[] {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return [];
  const ids = value.split(',');
  return ids.length <= 3 && ids.every((id) => UUID.test(id)) ? ids : [];
}

/** The level listed under a path, and the parent node's id. */
export function levelOf(path: readonly string[]): { kind: Level; parentId: string | null } {
  return { kind: LEVELS[path.length] ?? 'EQUIPMENT', parentId: path[path.length - 1] ?? null };
}

/** The href of a child row (null at the equipment level: no deeper node). */
export function childHref(path: readonly string[], id: string): string | null {
  return path.length >= 3 ? null : `/enterprise?path=${[...path, id].join(',')}#drilldown`;
}

/** Whole calendar months [start, end) of `now`'s month and the one before, as ISO strings. */
export function monthRanges(now: Date): {
  current: { from: string; to: string };
  previous: { from: string; to: string };
} {
  const start = new Date(now.getFullYear(), now.getMonth(), 1);
  const prevStart = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  // Same elapsed span in the previous month, so a partial month is compared with a partial month.
  const elapsed = now.getTime() - start.getTime();
  const prevEnd = new Date(Math.min(prevStart.getTime() + elapsed, start.getTime()));
  return {
    current: { from: start.toISOString(), to: now.toISOString() },
    previous: { from: prevStart.toISOString(), to: prevEnd.toISOString() },
  };
}
