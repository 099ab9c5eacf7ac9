/**
 * GraphQL documents of the topology, distribution-room, verifier proof-pick and XLSX-import views
 * (kept apart from operations.ts so parallel work on both files does not collide).
 */

// ---------- topology diagrams (enterprise energy) ----------
export interface DiagramSummary {
  id: string;
  name: string;
  kind: string;
  nodeCount: number;
  boundNodes: number;
  updatedAt: string;
}
export const TOPOLOGY_DIAGRAMS = `query PortalTopologyDiagrams($enterpriseId: ID!, $kind: String) {
  topologyDiagrams(enterpriseId: $enterpriseId, kind: $kind) { id name kind nodeCount boundNodes updatedAt }
}`;
export interface DiagramNodeView {
  key: string;
  label: string;
  kind: string;
  x: string;
  y: string;
  meterId: string | null;
  value: string | null;
  unit: string | null;
  ts: string | null;
  alarm: string | null;
  openAlarms: number;
}
export interface DiagramView {
  id: string;
  name: string;
  kind: string;
  nodes: DiagramNodeView[];
  links: { from: string; to: string }[];
}
export const TOPOLOGY_DIAGRAM = `query PortalTopologyDiagram($enterpriseId: ID!, $id: ID!) {
  topologyDiagram(enterpriseId: $enterpriseId, id: $id) {
    id name kind
    nodes { key label kind x y meterId value unit ts alarm openAlarms }
    links { from to }
  }
}`;
export interface UnbalanceRow {
  nodeKey: string;
  parent: string;
  childrenSum: string;
  difference: string;
  percent: string | null;
  unbalanced: boolean;
  missingChildren: string[];
}
export const TOPOLOGY_UNBALANCE = `query PortalTopologyUnbalance($enterpriseId: ID!, $id: ID!, $from: DateTime!, $to: DateTime!, $tolerancePercent: Decimal!) {
  topologyUnbalance(enterpriseId: $enterpriseId, id: $id, from: $from, to: $to, tolerancePercent: $tolerancePercent) {
    nodeKey parent childrenSum difference percent unbalanced missingChildren
  }
}`;

// ---------- verifier: proof of one committed inventory line ----------
export const INVENTORY_LINE_PROOF = `query PortalInventoryLineProof($enterpriseId: ID!, $inventoryId: ID!, $line: String!) {
  inventoryLineProof(enterpriseId: $enterpriseId, inventoryId: $inventoryId, line: $line) { proofJson anchorState }
}`;

// ---------- data: XLSX import of readings ----------
export const IMPORT_READINGS_XLSX = `mutation PortalImportReadingsXlsx($enterpriseId: ID!, $xlsxBase64: String!) {
  importReadingsXlsx(enterpriseId: $enterpriseId, xlsxBase64: $xlsxBase64) {
    rows accepted duplicates sheet
    errors { row column code message sheet }
  }
}`;

// ---------- platform admin: devices with last contact ----------
export interface AdminDeviceRow {
  id: string;
  enterpriseId: string;
  name: string;
  address: string;
  createdAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
}
export const ADMIN_DEVICES = `query PortalAdminDevices($enterpriseId: ID!) {
  devices(enterpriseId: $enterpriseId) { id enterpriseId name address createdAt revokedAt lastSeenAt }
}`;

/** The inventory hash a granted report's inventory is committed under (verifier proof pick). */
export const INVENTORY_HASH = `query PortalInventoryHash($id: ID!) { inventory(id: $id) { id inventoryHash } }`;
