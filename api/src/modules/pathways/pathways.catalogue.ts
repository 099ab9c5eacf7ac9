/**
 * Built-in catalogue of reduction measures (templates). Figures are illustrative defaults for a
 * mid-size machinery plant (grid factor 0.5703 tCO2/MWh, natural gas 2.16 tCO2/10^4 Nm3 ≈ NDRC defaults);
 * enterprises override them with their own quotes via `savePathwayMeasure`. Money in CNY, abatement in
 * tCO2e per year, energy effect per year (negative = saved).
 */
export interface MeasureTemplate {
  code: string;
  kind:
    | 'ROOFTOP_PV'
    | 'GREEN_POWER_PURCHASE'
    | 'GREEN_CERTIFICATES'
    | 'EFFICIENCY_MOTORS'
    | 'EFFICIENCY_COMPRESSORS'
    | 'EFFICIENCY_FURNACE'
    | 'LOAD_SHIFTING'
    | 'FUEL_SWITCH'
    | 'HEAT_RECOVERY';
  name: string;
  capex: string;
  opex: string;
  annualSavings: string;
  lifetimeYears: number;
  abatement: string;
  energyEffect: Record<string, string>;
  /** Monthly shares of annual yield (PV) or of the effect; sums to 1. */
  profile?: string[];
}

const GRID = 0.5703;
const pvKwp = 1000;
const pvYieldKwhPerKwp = 1100; // central China, fixed tilt
const pvMwh = (pvKwp * pvYieldKwhPerKwp) / 1000;
/** Monthly PV yield shares (central China, sums to 1). */
export const PV_YIELD_PROFILE = [
  '0.055',
  '0.060',
  '0.075',
  '0.090',
  '0.100',
  '0.105',
  '0.115',
  '0.110',
  '0.090',
  '0.080',
  '0.065',
  '0.055',
];

export const MEASURE_CATALOGUE: MeasureTemplate[] = [
  {
    code: 'pv-rooftop-1mw',
    kind: 'ROOFTOP_PV',
    name: 'Rooftop PV 1 MWp (self-consumption)',
    capex: '3500000',
    opex: '35000',
    annualSavings: String(pvMwh * 650),
    lifetimeYears: 25,
    abatement: (pvMwh * GRID).toFixed(3),
    energyEffect: { electricityMWh: String(-pvMwh) },
    profile: PV_YIELD_PROFILE,
  },
  {
    code: 'green-power-2000mwh',
    kind: 'GREEN_POWER_PURCHASE',
    name: 'Green power contract 2,000 MWh/yr (premium 30 CNY/MWh)',
    capex: '0',
    opex: '60000',
    annualSavings: '0',
    lifetimeYears: 1,
    abatement: (2000 * GRID).toFixed(3),
    energyEffect: { greenElectricityMWh: '2000' },
  },
  {
    code: 'gec-1000',
    kind: 'GREEN_CERTIFICATES',
    name: 'Green electricity certificates 1,000 MWh/yr',
    capex: '0',
    opex: '10000',
    annualSavings: '0',
    lifetimeYears: 1,
    abatement: (1000 * GRID).toFixed(3),
    energyEffect: { certificatesMWh: '1000' },
  },
  {
    code: 'ie4-motors',
    kind: 'EFFICIENCY_MOTORS',
    name: 'IE4 motors + VFD on pumps and fans',
    capex: '800000',
    opex: '0',
    annualSavings: '260000',
    lifetimeYears: 15,
    abatement: (400 * GRID).toFixed(3),
    energyEffect: { electricityMWh: '-400' },
  },
  {
    code: 'compressor-vsd',
    kind: 'EFFICIENCY_COMPRESSORS',
    name: 'VSD air compressors + leak programme',
    capex: '600000',
    opex: '20000',
    annualSavings: '195000',
    lifetimeYears: 12,
    abatement: (300 * GRID).toFixed(3),
    energyEffect: { electricityMWh: '-300' },
  },
  {
    code: 'furnace-retrofit',
    kind: 'EFFICIENCY_FURNACE',
    name: 'Heat-treatment furnace insulation and burner retrofit',
    capex: '1200000',
    opex: '10000',
    annualSavings: '280000',
    lifetimeYears: 15,
    abatement: (8 * 21.6).toFixed(3),
    energyEffect: { naturalGas10k_Nm3: '-8' },
  },
  {
    code: 'load-shift-valley',
    kind: 'LOAD_SHIFTING',
    name: 'Shift batch loads to valley hours (storage + scheduling)',
    capex: '300000',
    opex: '5000',
    annualSavings: '120000',
    lifetimeYears: 10,
    abatement: '0',
    energyEffect: { peakToValleyMWh: '500' },
  },
  {
    code: 'fuel-switch-electric',
    kind: 'FUEL_SWITCH',
    name: 'Gas boiler → heat pump',
    capex: '2500000',
    opex: '30000',
    annualSavings: '150000',
    lifetimeYears: 20,
    abatement: (20 * 21.6 - 900 * GRID).toFixed(3),
    energyEffect: { naturalGas10k_Nm3: '-20', electricityMWh: '900' },
  },
  {
    code: 'heat-recovery',
    kind: 'HEAT_RECOVERY',
    name: 'Waste-heat recovery from compressors and furnaces',
    capex: '700000',
    opex: '10000',
    annualSavings: '160000',
    lifetimeYears: 15,
    abatement: (5 * 21.6).toFixed(3),
    energyEffect: { naturalGas10k_Nm3: '-5' },
  },
];
