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

// ---------- energy detail (enterprise) ----------
export interface TransformerRow {
  id: string;
  name: string;
  ratedKva: string;
  activeKw: string | null;
  apparentKva: string | null;
  loadRate: string | null;
  lossKw: string | null;
  powerFactor: string | null;
  state: string | null;
  at: string | null;
}
export const TRANSFORMERS = `query PortalTransformers($enterpriseId: ID!) {
  transformers(enterpriseId: $enterpriseId) { id name ratedKva activeKw apparentKva loadRate lossKw powerFactor state at }
}`;
export interface UnitConsumptionRow {
  key: string;
  energy: string;
  quantity: string;
  perUnit: string | null;
  rank: number;
}
export const UNIT_CONSUMPTION = `query PortalUnitConsumption($enterpriseId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: UnitConsumptionGroup!) {
  unitConsumption(enterpriseId: $enterpriseId, from: $from, to: $to, groupBy: $groupBy) {
    rows { key energy quantity perUnit rank }
    benchmark { key perUnit }
  }
}`;
export interface EnergyNodeTotalRow {
  id: string;
  name: string;
  energyType: string;
  unit: string;
  value: string;
}
export const EQUIPMENT_COMPARE = `query PortalEquipmentCompare($enterpriseId: ID!, $from: DateTime!, $to: DateTime!) {
  energyCompare(enterpriseId: $enterpriseId, kind: EQUIPMENT, from: $from, to: $to, limit: 10) { id name energyType unit value }
}`;
/** One level of the plant structure (sites, areas of a site, lines of an area, equipment of a line). */
export const ENERGY_COMPARE_LEVEL = `query PortalEnergyCompareLevel($enterpriseId: ID!, $kind: EnergyCompareKind!, $parentId: ID, $from: DateTime!, $to: DateTime!) {
  energyCompare(enterpriseId: $enterpriseId, kind: $kind, parentId: $parentId, from: $from, to: $to) { id name energyType unit value }
}`;
export const SITE_NAME = 'query PortalSiteName($id: ID!) { node: site(id: $id) { id name } }';
export const AREA_NAME = 'query PortalAreaName($id: ID!) { node: area(id: $id) { id name } }';
export const LINE_NAME = 'query PortalLineName($id: ID!) { node: line(id: $id) { id name } }';
export const DAILY_TREND = `query PortalDailyTrend($enterpriseId: ID!, $node: EnergyNodeInput!, $from: DateTime!, $to: DateTime!) {
  energyDailyTrend(enterpriseId: $enterpriseId, node: $node, from: $from, to: $to, energyType: "electricity") { ts value }
}`;
export const ACKNOWLEDGE_ALARM = `mutation PortalAcknowledgeAlarm($enterpriseId: ID!, $id: ID!, $note: String) {
  acknowledgeAlarm(enterpriseId: $enterpriseId, id: $id, note: $note) { id status }
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

// ---------- data entry (enterprise) ----------
export interface CsvRowError {
  row: number;
  column: string | null;
  code: string;
  message: string;
}
export const IMPORT_READINGS_CSV = `mutation PortalImportReadingsCsv($enterpriseId: ID!, $csv: String!) {
  importReadingsCsv(enterpriseId: $enterpriseId, csv: $csv) { rows accepted duplicates batchId errors { row column code message } }
}`;
export const IMPORT_PRODUCTION_CSV = `mutation PortalImportProductionCsv($enterpriseId: ID!, $csv: String!) {
  importProductionCsv(enterpriseId: $enterpriseId, csv: $csv) { inserted }
}`;
export interface EmissionSourceRow {
  id: string;
  code: string;
  name: string;
  category: string;
  sourceType: string;
  scope: number | null;
  unit: string;
  meterId: string | null;
  active: boolean;
}
export const EMISSION_SOURCES = `query PortalEmissionSources($enterpriseId: ID!) {
  emissionSources(enterpriseId: $enterpriseId, first: 100) { edges { node { id code name category sourceType scope unit meterId active } } }
}`;
export const RECORD_ACTIVITY = `mutation PortalRecordActivity($input: RecordActivityInput!) { recordActivity(input: $input) { id } }`;
export const RECORD_MEASURED_FACTOR = `mutation PortalRecordMeasuredFactor($input: RecordMeasuredFactorInput!) { recordMeasuredFactor(input: $input) { id } }`;

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
export interface InventoryLine {
  sourceId: string;
  sourceType: string;
  category: string;
  scope: number | null;
  co2e: string;
}
/** Lines of one inventory (the carbon screen's top sources). */
export const INVENTORY_LINES = `query PortalInventoryLines($id: ID!) {
  inventory(id: $id) { id lines { sourceId sourceType category scope co2e } }
}`;
export interface OffsetSummary {
  greenPowerMwh: string;
  certificatesMwh: string;
  creditsTco2e: string;
}
export const OFFSET_SUMMARY = `query PortalOffsetSummary($enterpriseId: ID!, $year: Int!) {
  offsetSummary(enterpriseId: $enterpriseId, year: $year) { greenPowerMwh certificatesMwh creditsTco2e }
}`;
/** Year-to-date consumption per energy type (the green-power share's denominator). */
export const ENERGY_YEAR_TOTALS = `query PortalEnergyYearTotals($enterpriseId: ID!, $node: EnergyNodeInput!) {
  energyDashboard(enterpriseId: $enterpriseId, node: $node) { totals { period energyType unit current } }
}`;
export interface QuotaEntryRow {
  id: string;
  kind: string;
  amount: string;
  delta: string;
  reason: string;
  createdAt: string;
}
export interface QuotaTrueUpRow {
  month: number;
  used: string;
  cumulativeUsed: string;
  proRataQuota: string | null;
  balance: string | null;
}
export interface QuotaStatus {
  year: number;
  quota: string | null;
  quotaSource: string;
  chainQuota: string | null;
  chainRevision: number | null;
  manualQuota: string | null;
  used: string;
  remaining: string | null;
  monthsWithData: number;
  forecast: {
    value: string | null;
    low: string | null;
    high: string | null;
    method: string;
    description: string;
    monthsObserved: number;
  };
  trueUp: QuotaTrueUpRow[];
  history: QuotaEntryRow[];
}
export const QUOTA_STATUS = `query PortalQuotaStatus($enterpriseId: ID!, $year: Int!) {
  quotaStatus(enterpriseId: $enterpriseId, year: $year) {
    year quota quotaSource chainQuota chainRevision manualQuota used remaining monthsWithData
    forecast { value low high method description monthsObserved }
    trueUp { month used cumulativeUsed proRataQuota balance }
    history { id kind amount delta reason createdAt }
  }
}`;
export const SET_QUOTA = `mutation PortalSetQuota($input: SetQuotaInput!) { setQuota(input: $input) { id } }`;
export const ADJUST_QUOTA = `mutation PortalAdjustQuota($input: AdjustQuotaInput!) { adjustQuota(input: $input) { id } }`;
export interface ReportRow {
  id: string;
  enterpriseId: string;
  inventoryId: string;
  version: number;
  language: string;
  state: string;
  standardRef: string;
  inventoryHash: string;
  jsonHash: string;
  pdfHash: string;
  xlsxHash: string;
  signer: string | null;
  signedAt: string | null;
  anchorRoot: string | null;
  anchorTxHash: string | null;
  anchoredAt: string | null;
  verificationState: string | null;
  createdAt: string;
}
const REPORT_FIELDS =
  'id enterpriseId inventoryId version language state standardRef inventoryHash jsonHash pdfHash xlsxHash signer signedAt anchorRoot anchorTxHash anchoredAt verificationState createdAt';
export const REPORTS = `query PortalReports($enterpriseId: ID!) {
  reports(enterpriseId: $enterpriseId, first: 50) { edges { node { ${REPORT_FIELDS} } } }
}`;
/** Reports granted to the calling verifier (their engagements). */
export const GRANTED_REPORTS = `query PortalGrantedReports { grantedReports { ${REPORT_FIELDS} } }`;
/** Regulator: anchored reports with their verification state. */
export const REGULATOR_REPORTS = `query PortalRegulatorReports { regulatorReports { ${REPORT_FIELDS} } }`;
export const GENERATE_REPORT = `mutation PortalGenerateReport($input: GenerateReportInput!) { generateReport(input: $input) { id } }`;
export const REPORT_TYPED_DATA = `query PortalReportTypedData($reportId: ID!) { reportTypedData(reportId: $reportId) { json } }`;
export const SIGN_REPORT = `mutation PortalSignReport($reportId: ID!, $signature: String!, $signer: String!) {
  signReport(reportId: $reportId, signature: $signature, signer: $signer) { id state anchorRoot }
}`;
/** One report's files (base64 PDF/XLSX, canonical JSON text) for download. */
export const REPORT_FILES = `query PortalReportFiles($id: ID!) {
  report(id: $id) { id version language json pdfBase64 xlsxBase64 }
}`;
export const RECORD_VERIFICATION = `mutation PortalRecordVerification($input: RecordVerificationInput!) {
  recordVerification(input: $input) { id opinion chainTxHash chainError }
}`;
export const READING_PROOF = `query PortalReadingProof($enterpriseId: ID!, $meterId: ID!, $ts: DateTime!) {
  readingProof(enterpriseId: $enterpriseId, meterId: $meterId, ts: $ts) { proofJson anchorState }
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
export interface ParkScopeTotals {
  scope1: string;
  scope2Location: string;
  scope2Market: string;
  scope3: string;
  totalLocation: string;
  totalMarket: string;
}
export interface ParkEnergyTotal {
  energyType: string;
  unit: string;
  value: string;
}
export interface ParkMemberRow {
  enterpriseId: string;
  name: string;
  quota: string | null;
  quotaSource: string;
  quotaWarning: boolean;
  inventoryState: string | null;
  anchorState: string | null;
  lastReadingAt: string | null;
  intensityPerRevenue: string | null;
  totals: ParkScopeTotals | null;
}
export interface ParkOverview {
  parkName: string;
  year: number;
  enterpriseCount: number;
  sharingCount: number;
  reportingCount: number;
  enterprisesWithQuotaWarning: number;
  quotaTotal: string | null;
  intensityPerRevenue: string | null;
  totals: ParkScopeTotals;
  energy: ParkEnergyTotal[];
  enterprises: ParkMemberRow[];
}
const SCOPE_FIELDS = 'scope1 scope2Location scope2Market scope3 totalLocation totalMarket';
export const PARK_OVERVIEW = `query PortalParkOverview($parkId: ID!, $year: Int!) {
  parkOverview(parkId: $parkId, year: $year) {
    parkName year enterpriseCount sharingCount reportingCount enterprisesWithQuotaWarning quotaTotal intensityPerRevenue
    totals { ${SCOPE_FIELDS} }
    energy { energyType unit value }
    enterprises { enterpriseId name quota quotaSource quotaWarning inventoryState anchorState lastReadingAt intensityPerRevenue totals { ${SCOPE_FIELDS} } }
  }
}`;
export interface RankingRow {
  enterpriseId: string;
  name: string;
  rank: number;
  value: string;
}
export const PARK_RANKING = `query PortalParkRanking($parkId: ID!, $year: Int!, $by: ParkRankingMetric!) {
  parkRanking(parkId: $parkId, year: $year, by: $by) { enterpriseId name rank value }
}`;
export const PARK_EXPORT = `query PortalParkExport($parkId: ID!, $year: Int!) {
  parkExport(parkId: $parkId, year: $year) { csv json sha256 format }
}`;
export interface OnChainQuotaRow {
  chainEnterpriseId: string;
  year: number;
  amountGrams: string;
  revision: number;
  issuedAt: string;
  confirmed: boolean;
}
export const QUOTAS_ON_CHAIN = `query PortalQuotasOnChain($enterpriseId: ID!) {
  quotasOnChain(enterpriseId: $enterpriseId) { chainEnterpriseId year amountGrams revision issuedAt confirmed }
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
// ---------- platform admin ----------
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  disabledAt: string | null;
}
export const USERS = 'query PortalUsers { users(first: 100) { id email displayName createdAt disabledAt } }';
export interface DeviceRow {
  id: string;
  enterpriseId: string;
  name: string;
  address: string;
  createdAt: string;
  revokedAt: string | null;
}
export const DEVICES = `query PortalDevices($enterpriseId: ID!) { devices(enterpriseId: $enterpriseId) { id enterpriseId name address createdAt revokedAt } }`;
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export const API_KEYS = `query PortalApiKeys($enterpriseId: ID!) { apiKeys(enterpriseId: $enterpriseId) { id name prefix createdAt lastUsedAt revokedAt } }`;
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
