import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Decimal, DecimalScalar } from '../../core/scalars';

export enum ParkRankingMetric {
  TOTAL = 'TOTAL',
  INTENSITY_REVENUE = 'INTENSITY_REVENUE',
  INTENSITY_OUTPUT = 'INTENSITY_OUTPUT',
}
registerEnumType(ParkRankingMetric, { name: 'ParkRankingMetric' });

@ObjectType({ description: 'An enterprise’s consent to share its aggregates with its park.' })
export class ParkShareConsent {
  @Field(() => ID) id: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => ID) parkId: string;
  @Field(() => Date) grantedAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
}

@ObjectType()
export class ParkScopeTotals {
  @Field(() => DecimalScalar) scope1: Decimal;
  @Field(() => DecimalScalar) scope2Location: Decimal;
  @Field(() => DecimalScalar, { description: 'Market-based; location-based where not reported.' })
  scope2Market: Decimal;
  @Field(() => DecimalScalar) scope3: Decimal;
  @Field(() => DecimalScalar) totalLocation: Decimal;
  @Field(() => DecimalScalar) totalMarket: Decimal;
}

@ObjectType()
export class ParkEnergyTotal {
  @Field(() => String) energyType: string;
  @Field(() => String) unit: string;
  @Field(() => DecimalScalar) value: Decimal;
}

@ObjectType()
export class ParkForecast {
  @Field(() => String, { description: 'NONE, NAIVE or SEASONAL_NAIVE' }) method: string;
  @Field(() => Int) monthsObserved: number;
  @Field(() => DecimalScalar, { nullable: true }) value: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) low: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) high: Decimal | null;
  @Field(() => Boolean, { nullable: true }) exceedsQuota: boolean | null;
  @Field(() => Boolean, { nullable: true }) mayExceedQuota: boolean | null;
  @Field(() => String) description: string;
}

@ObjectType({ description: 'Aggregates of one consenting enterprise (no raw readings).' })
export class ParkMember {
  @Field(() => ID) enterpriseId: string;
  @Field(() => String) name: string;
  @Field(() => String) industry: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Revenue of the inventory year (10^4 CNY)' })
  revenue: Decimal | null;
  @Field(() => ID, { nullable: true }) inventoryId: string | null;
  @Field(() => String, { nullable: true }) inventoryHash: string | null;
  @Field(() => String, { nullable: true }) inventoryState: string | null;
  @Field(() => String, { nullable: true, description: 'Merkle root anchoring the inventory (0x…)' })
  anchoredRoot: string | null;
  @Field(() => String, { nullable: true }) anchorState: string | null;
  @Field(() => ParkScopeTotals, { nullable: true }) totals: ParkScopeTotals | null;
  @Field(() => [ParkEnergyTotal]) energy: ParkEnergyTotal[];
  @Field(() => DecimalScalar, { nullable: true }) intensityPerOutput: Decimal | null;
  @Field(() => String, { nullable: true }) outputUnit: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'tCO2e per 10^4 CNY' })
  intensityPerRevenue: Decimal | null;
  @Field(() => Date, { nullable: true, description: 'Data freshness: last reading received' })
  lastReadingAt: Date | null;
  @Field(() => DecimalScalar, { nullable: true }) quota: Decimal | null;
  @Field(() => String) quotaSource: string;
  @Field(() => ParkForecast) forecast: ParkForecast;
  @Field(() => Boolean, { description: 'Forecast (or its upper bound) crosses the quota.' })
  quotaWarning: boolean;
}

@ObjectType({ description: 'Totals of the reporting enterprises of one industry.' })
export class ParkIndustryTotal {
  @Field(() => String) industry: string;
  @Field(() => Int) enterprises: number;
  @Field(() => ParkScopeTotals) totals: ParkScopeTotals;
}

@ObjectType()
export class ParkOverview {
  @Field(() => ID) parkId: string;
  @Field(() => String) parkName: string;
  @Field(() => Int) year: number;
  @Field(() => Int) enterpriseCount: number;
  @Field(() => Int) sharingCount: number;
  @Field(() => Int) reportingCount: number;
  @Field(() => ParkScopeTotals) totals: ParkScopeTotals;
  @Field(() => [ParkEnergyTotal]) energy: ParkEnergyTotal[];
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Σ market total ÷ Σ revenue (tCO2e per 10^4 CNY)',
  })
  intensityPerRevenue: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) quotaTotal: Decimal | null;
  @Field(() => Int) enterprisesWithQuotaWarning: number;
  @Field(() => [ParkIndustryTotal]) industries: ParkIndustryTotal[];
  @Field(() => [ParkMember]) enterprises: ParkMember[];
}

@ObjectType()
export class ParkRankEntry {
  @Field(() => Int) rank: number;
  @Field(() => ID) enterpriseId: string;
  @Field(() => String) name: string;
  @Field(() => DecimalScalar) value: Decimal;
}

@ObjectType({ description: 'Government export: canonical JSON + CSV (the workbook: parkExportWorkbook).' })
export class ParkExport {
  @Field(() => String) format: string;
  @Field(() => String, { description: 'RFC 8785 canonical JSON' }) json: string;
  @Field(() => String) csv: string;
  @Field(() => String, { description: '0x + SHA-256 of the JSON' }) sha256: string;
}

@ObjectType()
export class ParkExportVerification {
  @Field(() => Boolean) ok: boolean;
  @Field(() => [String]) mismatches: string[];
  @Field(() => ParkScopeTotals) recomputed: ParkScopeTotals;
}

@ObjectType({
  description:
    'Government export as XLSX (one sheet per view), rendered from the same document as the JSON export.',
})
export class ParkExportWorkbook {
  @Field(() => String) filename: string;
  @Field(() => String) contentType: string;
  @Field(() => String, { description: 'The .xlsx file, base64' }) xlsxBase64: string;
  @Field(() => String, { description: '0x + SHA-256 of the .xlsx bytes' }) xlsxSha256: string;
  @Field(() => String, { description: '0x + SHA-256 of the JSON export (also in the workbook)' })
  jsonSha256: string;
  @Field(() => String, { description: 'The JSON export the workbook renders (RFC 8785 canonical)' })
  json: string;
}
