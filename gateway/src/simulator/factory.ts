/**
 * A small factory whose meters advance with (optionally accelerated) time: two production lines
 * with a shift profile, compressors, a boiler, gas and water. Registers are integrals of the flow
 * rates, so what the gateway reads is physically consistent (main ≥ Σ lines, flows match totals).
 */
export interface SimPoint {
  code: string;
  unit: string;
  kind: 'cumulative' | 'instantaneous';
  /** current value in `unit` */
  value: number;
}

export interface FactoryOptions {
  /** simulated seconds per real second (default 1) */
  speed?: number;
  /** simulated start time, epoch ms (default now) */
  start?: number;
  /** initial register values by code */
  initial?: Partial<Record<string, number>>;
}

const HOUR = 3_600_000;

function shiftFactor(simMs: number): number {
  const h = new Date(simMs).getUTCHours() + 8; // plant runs on China time
  const local = h % 24;
  if (local >= 8 && local < 20) return 1;
  if (local >= 20 || local < 2) return 0.6;
  return 0.25;
}

export class FactorySimulation {
  readonly speed: number;
  private readonly realStart = Date.now();
  private readonly simStart: number;
  private last: number;
  private phase = 0;
  readonly totals: Record<string, number>;
  readonly rates: Record<string, number> = {};

  constructor(opts: FactoryOptions = {}) {
    this.speed = opts.speed ?? 1;
    this.simStart = opts.start ?? this.realStart;
    this.last = this.simStart;
    this.totals = {
      'E-MAIN': 1_250_000,
      'E-LINE1': 480_000,
      'E-LINE2': 65_000,
      'W-MAIN': 35_120,
      'G-BOILER': 812_400,
      'S-MAIN': 9_870,
      'A-COMP': 2_450_000,
      ...(opts.initial as Record<string, number> | undefined),
    };
    this.advance();
  }

  /** Simulated now (epoch ms). */
  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.speed;
  }

  /** Integrates the rates up to simulated now. */
  advance(): void {
    const now = this.now();
    const dtH = Math.max(0, now - this.last) / HOUR;
    this.last = now;
    this.phase += dtH;
    const f = shiftFactor(now);
    const wobble = 1 + 0.05 * Math.sin(this.phase * 2 * Math.PI * 3);
    const line1 = 820 * f * wobble; // kW
    const line2 = 540 * f * (2 - wobble);
    const aux = 150; // lighting, HVAC, losses
    this.rates['E-LINE1'] = line1;
    this.rates['E-LINE2'] = line2;
    this.rates['E-MAIN'] = line1 + line2 + aux;
    this.rates['W-MAIN'] = 12 * f + 1.5; // m3/h
    this.rates['G-BOILER'] = 85 * (0.5 + 0.5 * f); // Nm3/h
    this.rates['S-MAIN'] = 2.4 * (0.5 + 0.5 * f); // t/h
    this.rates['A-COMP'] = 620 * f + 40; // Nm3/h
    for (const [k, r] of Object.entries(this.rates)) this.totals[k] = (this.totals[k] ?? 0) + r * dtH;
  }

  points(): SimPoint[] {
    this.advance();
    const p = (code: string, unit: string, value: number): SimPoint => ({
      code,
      unit,
      kind: 'cumulative',
      value,
    });
    return [
      p('E-MAIN', 'kWh', this.totals['E-MAIN']!),
      p('E-LINE1', 'kWh', this.totals['E-LINE1']!),
      p('E-LINE2', 'kWh', this.totals['E-LINE2']!),
      { code: 'P-MAIN', unit: 'kW', kind: 'instantaneous', value: this.rates['E-MAIN']! },
      p('W-MAIN', 'm3', this.totals['W-MAIN']!),
      p('G-BOILER', 'Nm3', this.totals['G-BOILER']!),
      p('S-MAIN', 't', this.totals['S-MAIN']!),
      p('A-COMP', 'Nm3', this.totals['A-COMP']!),
      { code: 'F-AIR', unit: 'Nm3/h', kind: 'instantaneous', value: this.rates['A-COMP']! },
      { code: 'F-STEAM', unit: 't/h', kind: 'instantaneous', value: this.rates['S-MAIN']! },
    ];
  }
}
