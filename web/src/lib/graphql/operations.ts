/**
 * GraphQL documents used by the portal's views, with the view types they map to. Each view is
 * built against api/schema.graphql; operations that the API does not offer yet make their panel
 * show "not available yet" (see load.ts), so aligning a view with a new API operation is an edit
 * here plus the mapper in the page.
 */

// ---------- energy (enterprise) ----------
/** One energy type in one period (today | yesterday | month | year), with the comparison. */
export interface PeriodComparison {
  period: string;
  energyType: string;
  unit: string;
  current: string;
  previous: string;
  periodOverPeriod: string | null;
  yearOverYear: string | null;
}
export interface LoadPoint {
  ts: string;
  value: string;
}
export interface TouPeriodTotal {
  period: string;
  kwh: string;
  cost: string;
  share: string;
}
export interface EnergyDashboard {
  totals: PeriodComparison[];
  touMonth: { periods: TouPeriodTotal[]; totalKwh: string; totalCost: string; currency: string };
  loadCurve: LoadPoint[];
}
export const ENERGY_DASHBOARD = `query PortalEnergyDashboard($enterpriseId: ID!, $node: EnergyNodeInput!) {
  energyDashboard(enterpriseId: $enterpriseId, node: $node) {
    totals { period energyType unit current previous periodOverPeriod yearOverYear }
    touMonth { periods { period kwh cost share } totalKwh totalCost currency }
    loadCurve { ts value }
  }
}`;
/** Today's load curve only: what a live chart re-queries after each metering update. */
export const ENERGY_LOAD_CURVE = `query PortalLoadCurve($enterpriseId: ID!, $node: EnergyNodeInput!) {
  energyDashboard(enterpriseId: $enterpriseId, node: $node) { loadCurve { ts value } }
}`;
export const enterpriseNode = (enterpriseId: string) => ({ kind: 'ENTERPRISE', id: enterpriseId });
/** Signal that readings/rollups changed (≤ 1/s per enterprise); charts then re-query. */
export const METERING_UPDATED = `subscription PortalMeteringUpdated {
  meteringUpdated { enterpriseId meterIds from to }
}`;

// ---------- metering ----------
export interface MeterRow {
  id: string;
  code: string;
  name: string;
  energyType: string;
  kind: string;
  unit: string;
}
export const METERS = `query PortalMeters($enterpriseId: ID!) {
  meters(enterpriseId: $enterpriseId) { id code name energyType kind unit }
}`;
export const RECORD_MANUAL_READING = `mutation PortalManualReading($input: ManualReadingInput!) {
  recordManualReading(input: $input) { status photoSha256 }
}`;

// ---------- carbon / accounting ----------
export interface InventoryRow {
  id: string;
  periodKind: string;
  periodStart: string;
  periodEnd: string;
  state: string;
  revision: number;
  standardVersion: string | null;
  packRef: string;
  scope1: string;
  scope2Location: string;
  scope3: string;
  totalLocation: string;
  totalReported: string;
  inventoryHash: string;
  anchoredAt: string | null;
  anchorRef: string | null;
  verifiedAt: string | null;
}
export const INVENTORIES = `query PortalInventories($enterpriseId: ID!, $year: Int) {
  inventories(enterpriseId: $enterpriseId, year: $year, first: 50) {
    edges { node {
      id periodKind periodStart periodEnd state revision standardVersion packRef
      scope1 scope2Location scope3 totalLocation totalReported inventoryHash anchoredAt anchorRef verifiedAt
    } }
  }
}`;
/** Monthly inventories of one year, oldest first after sorting: the carbon screen's trend. */
export const MONTHLY_EMISSIONS = `query PortalMonthlyEmissions($enterpriseId: ID!, $year: Int!) {
  inventories(enterpriseId: $enterpriseId, year: $year, periodKind: "MONTH", first: 12) {
    edges { node { periodStart totalReported } }
  }
}`;
/** Inventory (re)computed or changed state: the carbon screen reloads its figures. */
export const EMISSIONS_UPDATED = `subscription PortalEmissionsUpdated($enterpriseId: ID!) {
  emissionsUpdated(enterpriseId: $enterpriseId) { inventoryId periodKind periodStart totalLocation state }
}`;
export interface QuotaStatus {
  year: number;
  quota: string | null;
  quotaSource: string;
  used: string;
  remaining: string | null;
  forecast: { value: string | null; low: string | null; high: string | null; method: string };
  history: { id: string; kind: string; amount: string; delta: string; reason: string; createdAt: string }[];
}
export const QUOTA_STATUS = `query PortalQuotaStatus($enterpriseId: ID!, $year: Int!) {
  quotaStatus(enterpriseId: $enterpriseId, year: $year) {
    year quota quotaSource used remaining
    forecast { value low high method }
    history { id kind amount delta reason createdAt }
  }
}`;
export interface ReportRow {
  id: string;
  period: string;
  status: string;
  contentHash: string | null;
  createdAt: string;
}
/** Not in the API yet (reports module): the panel shows "not available yet". */
export const REPORTS = `query PortalReports($enterpriseId: ID!) {
  reports(enterpriseId: $enterpriseId, first: 50) { edges { node { id period status contentHash createdAt } } }
}`;
export interface TamperAlarmRow {
  id: string;
  enterpriseId: string;
  kind: string;
  batchId: string;
  leafIndex: number | null;
  detectedAt: string;
}
export const TAMPER_ALARMS = `query PortalTamperAlarms($enterpriseId: ID!) {
  tamperAlarms(enterpriseId: $enterpriseId) { id enterpriseId kind batchId leafIndex detectedAt }
}`;

// ---------- park / regulator ----------
export interface EnterpriseRow {
  id: string;
  name: string;
  industry: string;
  creditCode: string | null;
  park: { id: string; name: string } | null;
}
export const ENTERPRISES = `query PortalEnterprises($parkId: ID) {
  enterprises(parkId: $parkId, first: 100) { edges { node { id name industry creditCode park { id name } } } }
}`;
export interface ParkRow {
  id: string;
  name: string;
  jurisdiction: string;
}
export const PARK = `query PortalPark($id: ID!) { park(id: $id) { id name jurisdiction enterprises { id name industry creditCode } } }`;
export const PARKS = 'query PortalParks { parks(first: 100) { edges { node { id name jurisdiction } } } }';
export interface RankingRow {
  enterpriseId: string;
  enterpriseName: string;
  intensity: string | null;
  unit: string;
}
export const PARK_RANKING = `query PortalParkRanking($parkId: ID!) {
  parkIntensityRanking(parkId: $parkId) { enterpriseId enterpriseName intensity unit }
}`;
export interface AlarmRow {
  id: string;
  enterpriseId: string;
  severity: string;
  status: string;
  subject: string;
  message: string;
  raisedAt: string;
}
export const OPEN_ALARMS = `query PortalAlarms($enterpriseId: ID!) {
  alarmEvents(enterpriseId: $enterpriseId, openOnly: true, limit: 20) {
    id enterpriseId severity status subject message raisedAt
  }
}`;

// ---------- association ----------
export interface StandardVersionRow {
  standardId: string;
  code: string | null;
  version: string;
  versionIndex: string;
  contentHash: string;
  uri: string;
  effectiveFrom: string;
  deprecated: boolean;
  confirmed: boolean;
  shipped: boolean;
}
export interface StandardRow {
  id: string;
  code: string | null;
  activeContentHash: string | null;
  versions: StandardVersionRow[];
}
export const STANDARDS = `query PortalStandards {
  standards { id code activeContentHash versions { standardId code version versionIndex contentHash uri effectiveFrom deprecated confirmed shipped } }
}`;
export interface FactorDiffRow {
  parameterId: string;
  name: string;
  nameZh: string | null;
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  oldValue: string | null;
  newValue: string | null;
  oldUnit: string | null;
  newUnit: string | null;
}
export interface StandardVersionDiff {
  fromRef: string;
  toRef: string;
  parameters: FactorDiffRow[];
}
export const STANDARD_VERSION_DIFF = `query PortalStandardVersionDiff($from: String!, $to: String!) {
  standardVersionDiff(fromHash: $from, toHash: $to) { fromRef toRef parameters { parameterId name nameZh change oldValue newValue oldUnit newUnit } }
}`;
export interface ProposalRow {
  id: string;
  title: string | null;
  state: string;
  forVotes: string;
  againstVotes: string;
  abstainVotes: string;
  voteCount: number;
  voteEnd: string | null;
  standard: { code: string | null; version: string; contentHash: string } | null;
}
const PROPOSAL_FIELDS =
  'id title state forVotes againstVotes abstainVotes voteCount voteEnd standard { code version contentHash }';
export const PROPOSALS = `query PortalProposals { proposals(first: 50) { ${PROPOSAL_FIELDS} } }`;
/** Live tallies (graphql-ws): the indexer's NOTIFY → the API → this subscription. */
export const PROPOSAL_CHANGED = `subscription PortalProposalChanged { proposalChanged { ${PROPOSAL_FIELDS} } }`;
export interface VoteTypedDataResult {
  json: string;
  chainId: number;
  verifyingContract: string;
  nonce: string;
}
export const VOTE_TYPED_DATA = `query PortalVoteTypedData($proposalId: String!, $support: Int!, $voter: String!) {
  voteTypedData(proposalId: $proposalId, support: $support, voter: $voter) { json chainId verifyingContract nonce }
}`;
export const RELAY_VOTE_BY_SIG = `mutation PortalRelayVoteBySig($proposalId: String!, $support: Int!, $voter: String!, $signature: String!) {
  relayVoteBySig(proposalId: $proposalId, support: $support, voter: $voter, signature: $signature) { txHash blockNumber }
}`;

// ---------- verifier ----------
export interface EngagementRow {
  id: string;
  enterprise: { id: string; name: string } | null;
  period: string;
  status: string;
}
export const ENGAGEMENTS = `query PortalEngagements {
  engagements(first: 50) { edges { node { id enterprise { id name } period status } } }
}`;

// ---------- platform admin ----------
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  disabledAt: string | null;
}
export const USERS = `query PortalUsers { users(first: 100) { edges { node { id email displayName createdAt disabledAt } } } }`;
export interface DeviceRow {
  id: string;
  name: string;
  address: string;
  createdAt: string;
  revokedAt: string | null;
}
export const DEVICES = `query PortalDevices($enterpriseId: ID!) { devices(enterpriseId: $enterpriseId) { id name address createdAt revokedAt } }`;
/** Devices of every enterprise, for platform operations. */
export const PLATFORM_DEVICES = `query PortalPlatformDevices {
  platformDevices(first: 100) { edges { node { id name address createdAt revokedAt } } }
}`;
export interface IndexerHealth {
  running: boolean;
  chainId: number | null;
  phase: string;
  headBlock: number | null;
  checkpointBlock: number | null;
  finalityDepth: number;
  lagBlocks: number | null;
  lagSeconds: string | null;
  eventsPerSecond: string;
  eventsTotal: number;
  reorgsTotal: number;
  lastError: string | null;
  lastErrorAt: string | null;
  updatedAt: string | null;
}
export const INDEXER_HEALTH = `query PortalIndexerHealth {
  indexerHealth { running chainId phase headBlock checkpointBlock finalityDepth lagBlocks lagSeconds eventsPerSecond eventsTotal reorgsTotal lastError lastErrorAt updatedAt }
}`;
