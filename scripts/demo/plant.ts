/**
 * The demo plant "Plant 18": ~50 meters of every energy type bound to its workshops and equipment,
 * a history so that today/yesterday/month views are populated on first start, and live data:
 *  - 8 meters are read over real field protocols: the simulator serves them over Modbus TCP and
 *    OPC UA, the edge gateway polls, signs with the device key and pushes GraphQL batches;
 *  - the other meters behave like clamp-on wireless meters that push their registers every minute
 *    through the same ingest pipeline.
 */
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createMeter, getMeter, type MeterSpec } from '../../api/src/modules/metering/meter.service';
import { ingest } from '../../api/src/modules/metering/metering.service';
import { demoId, DEMO_ENTERPRISE_ID } from '../../api/src/seed/users';
import type { EnergyType } from '../../api/src/modules/metering/meter.service';
import { saveTariffPlan } from '../../api/src/modules/energy/energy.service';
import { refreshNodesAfterHierarchyChange } from '../../api/src/modules/energy/node-refresh';
import { hubei202601Plans } from '../../api/src/modules/energy/tariff-catalog';
import { saveDiagram } from '../../api/src/modules/topology/topology.service';

const E = DEMO_ENTERPRISE_ID;
const TZ = 'Asia/Shanghai';
const FIFTEEN_MIN = 900_000;

interface DemoMeter {
  code: string;
  name: string;
  energyType: EnergyType;
  unit: string;
  /** mean consumption per hour while running, in `unit` */
  ratePerHour: number;
  area?: string;
  equipment?: string;
  /** profile: production-driven (shifts), continuous (base load) */
  profile: 'shift' | 'base';
  /** polled by the gateway from the simulator (no synthetic history/feed) */
  protocol?: boolean;
}

const areas = ['Welding', 'Machining', 'Painting', 'Assembly', 'Utilities'];
const equipment: Array<[string, string, number]> = [
  ['WLD-R01', 'Welding', 12],
  ['WLD-R02', 'Welding', 12],
  ['WLD-M01', 'Welding', 16],
  ['MCH-C01', 'Machining', 30],
  ['MCH-B01', 'Machining', 24],
  ['PNT-B01', 'Painting', 38],
  ['PNT-O01', 'Painting', 18],
  ['ASM-P01', 'Assembly', 9],
  ['ASM-C01', 'Assembly', 14],
  ['UTL-AC1', 'Utilities', 80],
];

export const DEMO_METERS: DemoMeter[] = [
  // Read over Modbus TCP / OPC UA from the simulator by the gateway.
  {
    code: 'E-MAIN',
    name: 'Main incomer 10 kV',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 0,
    area: 'Utilities',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'E-LINE1',
    name: 'Boom welding line feeder',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 0,
    area: 'Welding',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'E-LINE2',
    name: 'Machining feeder',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 0,
    area: 'Machining',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'W-MAIN',
    name: 'Mains water',
    energyType: 'water',
    unit: 'm3',
    ratePerHour: 0,
    area: 'Utilities',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'G-BOILER',
    name: 'Boiler natural gas',
    energyType: 'natural_gas',
    unit: 'Nm3',
    ratePerHour: 0,
    area: 'Utilities',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'S-MAIN',
    name: 'Steam header',
    energyType: 'steam',
    unit: 't',
    ratePerHour: 0,
    area: 'Utilities',
    profile: 'shift',
    protocol: true,
  },
  {
    code: 'A-COMP',
    name: 'Compressor house air',
    energyType: 'compressed_air',
    unit: 'Nm3',
    ratePerHour: 0,
    area: 'Utilities',
    profile: 'shift',
    protocol: true,
  },
  // One electricity sub-meter per machine (clamp-on wireless meters).
  ...equipment.map(([code, area, kw]) => ({
    code: `E-${code}`,
    name: `${code} electricity`,
    energyType: 'electricity' as const,
    unit: 'kWh',
    ratePerHour: kw,
    area,
    equipment: code,
    profile: code === 'UTL-AC1' ? ('base' as const) : ('shift' as const),
  })),
  // Per-workshop meters of every medium.
  ...areas.flatMap((area) => [
    {
      code: `E-${area.toUpperCase()}-LIGHT`,
      name: `${area} lighting and HVAC`,
      energyType: 'electricity' as const,
      unit: 'kWh',
      ratePerHour: 20,
      area,
      profile: 'base' as const,
    },
    {
      code: `W-${area.toUpperCase()}`,
      name: `${area} water`,
      energyType: 'water' as const,
      unit: 'm3',
      ratePerHour: 1.2,
      area,
      profile: 'shift' as const,
    },
    {
      code: `A-${area.toUpperCase()}`,
      name: `${area} compressed air`,
      energyType: 'compressed_air' as const,
      unit: 'Nm3',
      ratePerHour: 150,
      area,
      profile: 'shift' as const,
    },
    {
      code: `H-${area.toUpperCase()}`,
      name: `${area} space heating`,
      energyType: 'heat' as const,
      unit: 'GJ',
      ratePerHour: 0.6,
      area,
      profile: 'base' as const,
    },
  ]),
  {
    code: 'G-PNT-OVEN',
    name: 'Paint curing oven gas',
    energyType: 'natural_gas',
    unit: 'Nm3',
    ratePerHour: 28,
    area: 'Painting',
    equipment: 'PNT-O01',
    profile: 'shift',
  },
  {
    code: 'G-CANTEEN',
    name: 'Canteen gas',
    energyType: 'natural_gas',
    unit: 'Nm3',
    ratePerHour: 6,
    area: 'Utilities',
    profile: 'shift',
  },
  {
    code: 'S-PAINT',
    name: 'Paint pretreatment steam',
    energyType: 'steam',
    unit: 't',
    ratePerHour: 0.8,
    area: 'Painting',
    profile: 'shift',
  },
  {
    code: 'S-ASSEMBLY',
    name: 'Assembly hall steam',
    energyType: 'steam',
    unit: 't',
    ratePerHour: 0.3,
    area: 'Assembly',
    profile: 'base',
  },
  {
    code: 'D-TESTRUN',
    name: 'Pump truck test-run diesel',
    energyType: 'diesel',
    unit: 't',
    ratePerHour: 0.05,
    area: 'Assembly',
    profile: 'shift',
  },
  {
    code: 'D-FORKLIFT',
    name: 'Forklift diesel',
    energyType: 'diesel',
    unit: 't',
    ratePerHour: 0.01,
    area: 'Utilities',
    profile: 'shift',
  },
  {
    code: 'E-PV-ROOF',
    name: 'Rooftop PV export check meter',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 35,
    area: 'Utilities',
    profile: 'base',
  },
  {
    code: 'E-OFFICE',
    name: 'Office building',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 25,
    area: 'Utilities',
    profile: 'shift',
  },
  {
    code: 'E-CANTEEN',
    name: 'Canteen',
    energyType: 'electricity',
    unit: 'kWh',
    ratePerHour: 18,
    area: 'Utilities',
    profile: 'shift',
  },
  {
    code: 'W-COOLING',
    name: 'Cooling tower make-up water',
    energyType: 'water',
    unit: 'm3',
    ratePerHour: 3,
    area: 'Utilities',
    profile: 'base',
  },
];

/** Load factor of a shift-driven meter at an instant (plant runs 08–20 full, 20–02 partial). */
function shiftFactor(ms: number): number {
  const h = (new Date(ms).getUTCHours() + 8) % 24;
  if (h >= 8 && h < 20) return 1;
  if (h >= 20 || h < 2) return 0.55;
  return 0.2;
}

/** Deterministic pseudo-noise in [0.9, 1.1) so history is reproducible. */
function noise(code: string, slot: number): number {
  const h = createHash('sha256').update(`${code}:${slot}`).digest();
  return 0.9 + (h.readUInt16BE(0) / 65536) * 0.2;
}

function consumption(m: DemoMeter, slotStart: number): number {
  const f = m.profile === 'shift' ? shiftFactor(slotStart) : 1;
  return (m.ratePerHour / 4) * f * noise(m.code, slotStart / FIFTEEN_MIN);
}

/** Register value of a synthetic meter at the end of `slot` counted from `origin`. */
function fmt(v: number): string {
  return v.toFixed(3);
}

export interface DemoPlant {
  meters: number;
  backfilled: number;
}

/**
 * Creates the demo meters and a device row for the gateway (idempotent), and backfills `days` of
 * 15-minute history for the synthetic meters on first run.
 */
export async function seedDemoPlant(
  ds: DataSource,
  opts: { deviceAddress: string; days?: number; now?: number },
): Promise<DemoPlant> {
  const now = opts.now ?? Date.now();
  await ds.query(
    `INSERT INTO devices (id, enterprise_id, name, address) VALUES ($1, $2, 'Plant 18 edge gateway', $3)
     ON CONFLICT DO NOTHING`,
    [demoId('device:gateway-1'), E, opts.deviceAddress.toLowerCase()],
  );
  let created = 0;
  for (const m of DEMO_METERS) {
    if (await getMeter(ds, E, m.code)) continue;
    const spec: MeterSpec = {
      code: m.code,
      name: m.name,
      energyType: m.energyType,
      unit: m.unit,
      kind: 'cumulative',
      areaId: m.area ? demoId(`area:${m.area}`) : null,
      equipmentId: m.equipment ? demoId(`equipment:${m.equipment}`) : null,
      timeZone: TZ,
      ...(m.code === 'E-LINE2' ? { rolloverValue: '65536' } : {}),
    };
    await createMeter(ds, E, spec);
    created++;
  }
  let backfilled = 0;
  if (created > 0) {
    const days = opts.days ?? 35;
    const end = Math.floor(now / FIFTEEN_MIN) * FIFTEEN_MIN;
    const start = end - days * 86_400_000;
    for (const m of DEMO_METERS.filter((x) => !x.protocol)) {
      let register = 1000;
      const readings: Array<{ meterCode: string; ts: number; value: string; unit: string }> = [
        { meterCode: m.code, ts: start, value: fmt(register), unit: m.unit },
      ];
      for (let t = start; t < end; t += FIFTEEN_MIN) {
        register += consumption(m, t);
        readings.push({ meterCode: m.code, ts: t + FIFTEEN_MIN, value: fmt(register), unit: m.unit });
      }
      for (let i = 0; i < readings.length; i += 5000) {
        const r = await ingest(
          { db: ds },
          { enterpriseId: E, source: 'api', transport: 'graphql', readings: readings.slice(i, i + 5000) },
        );
        backfilled += r.accepted;
      }
    }
  }
  await seedDemoTopology(ds, { now });
  // New meters refreshed the nodes as they were created; this also brings in line a plant seeded
  // before node rollups existed (incremental: a membership pass when nothing changed).
  await refreshNodesAfterHierarchyChange(ds, E);
  return { meters: DEMO_METERS.length, backfilled };
}

/**
 * Keeps the synthetic meters alive: every `intervalMs` each pushes its register, continuing from
 * its last stored value, through the ingest pipeline (with live updates to subscribers).
 */
export function startDemoFeed(
  ds: DataSource,
  opts: { intervalMs?: number; live?: Parameters<typeof ingest>[0]['live']; onError?: (e: unknown) => void },
): () => Promise<void> {
  const interval = opts.intervalMs ?? 60_000;
  let running: Promise<void> | null = null;
  const tick = async () => {
    const rows: Array<{ code: string; value: string; ts: Date }> = await ds.query(
      // One index probe per meter for its latest reading, instead of sorting the whole history
      // every minute (it grows by ~70 rows a minute).
      `SELECT m.code, r.value::text AS value, r.ts
         FROM metering_meter m
         CROSS JOIN LATERAL (
           SELECT value, ts FROM metering_reading
            WHERE enterprise_id = m.enterprise_id AND meter_id = m.id
            ORDER BY ts DESC LIMIT 1) r
        WHERE m.enterprise_id = $1`,
      [E],
    );
    const last = new Map(rows.map((r) => [r.code, r]));
    const now = Date.now();
    const readings = [];
    for (const m of DEMO_METERS.filter((x) => !x.protocol)) {
      const prev = last.get(m.code);
      if (!prev) continue;
      const prevTs = new Date(prev.ts).getTime();
      if (now <= prevTs) continue;
      const perMs = consumption(m, now) / FIFTEEN_MIN;
      const value = Number(prev.value) + perMs * (now - prevTs);
      readings.push({ meterCode: m.code, ts: now, value: fmt(value), unit: m.unit });
    }
    if (readings.length) {
      await ingest(
        { db: ds, live: opts.live },
        { enterpriseId: E, source: 'api', transport: 'graphql', readings },
      );
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((e) => opts.onError?.(e))
      .finally(() => {
        running = null;
      });
  }, interval);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Applies the Hubei industrial TOU tariff to the demo plant (1–10 kV, single-part). The published
 * prices are those of January 2026; the demo keeps them open-ended from 2025 so that every
 * demo month has a TOU split — a real plant imports each month's price table.
 */
export async function seedDemoTariff(ds: DataSource): Promise<void> {
  const exists = await ds.query(`SELECT 1 FROM energy_tariff_plan WHERE enterprise_id = $1 LIMIT 1`, [E]);
  if (exists.length) return;
  const plan = hubei202601Plans().find((p) => p.id === 'hubei-2026-01/single_part/1-10(20)kV');
  if (!plan) throw new Error('Hubei 2026-01 1-10 kV single-part plan missing from the tariff catalogue');
  await saveTariffPlan(
    ds,
    E,
    plan.id,
    { ...plan, validFrom: '2025-01-01', validTo: null },
    {
      file: 'tariffs/hubei-2026-01-industrial.json',
      note: 'January 2026 prices applied open-ended for the demo',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Topology diagrams and the distribution-room sensors (issue 10: topology and distribution-room
// views). Sensor points are dimensionless in the metering unit table (`state`); the portal labels
// them by the node kind (°C, %RH, open/closed…).

/** Distribution room DR-1 sensors: code, name, node kind, meter kind, first value, alarm rule. */
export const DEMO_ROOM_SENSORS: Array<{
  code: string;
  name: string;
  node: 'temperature' | 'humidity' | 'leak' | 'smoke' | 'door' | 'switch';
  kind: 'instantaneous' | 'status';
  value: string;
  rule: { severity: 'info' | 'warning' | 'critical'; spec: Record<string, unknown> };
}> = [
  {
    code: 'DR1-TEMP',
    name: 'DR-1 temperature',
    node: 'temperature',
    kind: 'instantaneous',
    value: '27.4',
    rule: { severity: 'warning', spec: { kind: 'threshold', op: 'above', limit: '35', hysteresis: '1' } },
  },
  {
    code: 'DR1-HUM',
    name: 'DR-1 humidity',
    node: 'humidity',
    kind: 'instantaneous',
    value: '58',
    rule: { severity: 'warning', spec: { kind: 'threshold', op: 'above', limit: '80', hysteresis: '2' } },
  },
  {
    code: 'DR1-LEAK',
    name: 'DR-1 water leak',
    node: 'leak',
    kind: 'status',
    value: '0',
    rule: { severity: 'critical', spec: { kind: 'state', alarmValues: ['1'] } },
  },
  {
    code: 'DR1-SMOKE',
    name: 'DR-1 smoke',
    node: 'smoke',
    kind: 'status',
    value: '0',
    rule: { severity: 'critical', spec: { kind: 'state', alarmValues: ['1'] } },
  },
  {
    code: 'DR1-DOOR',
    name: 'DR-1 door',
    node: 'door',
    kind: 'status',
    value: '1',
    rule: { severity: 'warning', spec: { kind: 'state', alarmValues: ['1'] } },
  },
  {
    code: 'DR1-QF1',
    name: 'DR-1 incomer breaker QF1',
    node: 'switch',
    kind: 'status',
    value: '1',
    rule: { severity: 'critical', spec: { kind: 'state', alarmValues: ['0'] } },
  },
];

interface DemoNode {
  key: string;
  label: string;
  kind: string;
  x: number;
  y: number;
  /** meter code bound to the node (left unbound when the meter does not exist) */
  meter?: string;
}
interface DemoDiagram {
  name: string;
  kind: 'power' | 'water' | 'gas' | 'steam' | 'air' | 'layout';
  nodes: DemoNode[];
  edges: Array<[string, string]>;
}

/** A source node feeding a row of branch meters (pipe networks and feeders alike). */
function fanOut(
  root: DemoNode,
  kind: string,
  children: Array<[string, string]>,
  y = 360,
): DemoDiagram['nodes'] {
  const step = 900 / Math.max(1, children.length);
  return [
    root,
    ...children.map(([code, label], i) => ({
      key: code,
      label,
      kind,
      x: Math.round(50 + step / 2 + i * step),
      y,
      meter: code,
    })),
  ];
}

export const DEMO_DIAGRAMS: DemoDiagram[] = [
  {
    name: 'Plant 18 10 kV single-line',
    kind: 'power',
    nodes: [
      { key: 'E-MAIN', label: 'Main incomer 10 kV', kind: 'incomer', x: 500, y: 60, meter: 'E-MAIN' },
      { key: 'BUS', label: '0.4 kV bus', kind: 'bus', x: 500, y: 200 },
      ...fanOut({ key: 'x', label: '', kind: 'x', x: 0, y: 0 }, 'feeder', [
        ['E-LINE1', 'Welding feeder'],
        ['E-LINE2', 'Machining feeder'],
        ['E-OFFICE', 'Office'],
        ['E-CANTEEN', 'Canteen'],
        ['E-UTL-AC1', 'Air compressor'],
      ]).slice(1),
    ],
    // Balance edges run from the incomer to each feeder (the bus bar itself is unmetered and drawn only).
    edges: ['E-LINE1', 'E-LINE2', 'E-OFFICE', 'E-CANTEEN', 'E-UTL-AC1'].map(
      (c) => ['E-MAIN', c] as [string, string],
    ),
  },
  {
    name: 'Water network',
    kind: 'water',
    nodes: fanOut(
      { key: 'W-MAIN', label: 'Mains water', kind: 'source', x: 500, y: 80, meter: 'W-MAIN' },
      'branch',
      [
        ['W-WELDING', 'Welding'],
        ['W-MACHINING', 'Machining'],
        ['W-PAINTING', 'Painting'],
        ['W-ASSEMBLY', 'Assembly'],
        ['W-UTILITIES', 'Utilities'],
        ['W-COOLING', 'Cooling tower'],
      ],
    ),
    edges: ['W-WELDING', 'W-MACHINING', 'W-PAINTING', 'W-ASSEMBLY', 'W-UTILITIES', 'W-COOLING'].map(
      (c) => ['W-MAIN', c] as [string, string],
    ),
  },
  {
    name: 'Compressed-air network',
    kind: 'air',
    nodes: fanOut(
      { key: 'A-COMP', label: 'Compressor house', kind: 'source', x: 500, y: 80, meter: 'A-COMP' },
      'branch',
      [
        ['A-WELDING', 'Welding'],
        ['A-MACHINING', 'Machining'],
        ['A-PAINTING', 'Painting'],
        ['A-ASSEMBLY', 'Assembly'],
      ],
    ),
    edges: ['A-WELDING', 'A-MACHINING', 'A-PAINTING', 'A-ASSEMBLY'].map(
      (c) => ['A-COMP', c] as [string, string],
    ),
  },
  {
    name: 'Distribution room DR-1',
    kind: 'layout',
    nodes: DEMO_ROOM_SENSORS.map((s, i) => ({
      key: s.code,
      label: s.name,
      kind: s.node,
      x: 120 + (i % 3) * 380,
      y: i < 3 ? 120 : 380,
      meter: s.code,
    })),
    edges: [],
  },
];

/**
 * Creates the distribution-room sensors (with alarm rules and a first reading each) and the demo
 * diagrams, binding each node to the meter of the same code when that meter exists. Idempotent:
 * an existing sensor, rule or diagram (by name) is left alone.
 */
export async function seedDemoTopology(
  ds: DataSource,
  opts: { now?: number } = {},
): Promise<{ diagrams: string[] }> {
  const now = opts.now ?? Date.now();
  const fresh: typeof DEMO_ROOM_SENSORS = [];
  for (const s of DEMO_ROOM_SENSORS) {
    if (await getMeter(ds, E, s.code)) continue;
    const m = await createMeter(ds, E, {
      code: s.code,
      name: s.name,
      energyType: 'other',
      unit: 'state',
      kind: s.kind,
      areaId: demoId('area:Utilities'),
      timeZone: TZ,
    });
    await ds.query(
      `INSERT INTO alarm_rule (enterprise_id, name, kind, severity, meter_id, spec) VALUES ($1, $2, $3, $4, $5, $6)`,
      [E, `${s.name} alarm`, s.rule.spec.kind, s.rule.severity, m.id, JSON.stringify(s.rule.spec)],
    );
    fresh.push(s);
  }
  if (fresh.length) {
    await ingest(
      { db: ds },
      {
        enterpriseId: E,
        source: 'api',
        transport: 'graphql',
        readings: fresh.map((s) => ({ meterCode: s.code, ts: now, value: s.value, unit: 'state' })),
      },
    );
  }
  const ids: string[] = [];
  for (const d of DEMO_DIAGRAMS) {
    const existing: { id: string }[] = await ds.query(
      `SELECT id FROM topology_diagram WHERE enterprise_id = $1 AND name = $2`,
      [E, d.name],
    );
    if (existing[0]) {
      ids.push(existing[0].id);
      continue;
    }
    const nodes = [];
    for (const n of d.nodes) {
      const meter = n.meter ? await getMeter(ds, E, n.meter) : null;
      nodes.push({
        key: n.key,
        label: n.label,
        kind: n.kind,
        x: String(n.x),
        y: String(n.y),
        meterId: meter?.id ?? null,
      });
    }
    ids.push(
      await saveDiagram(ds, E, {
        name: d.name,
        kind: d.kind,
        nodes,
        edges: d.edges.map(([from, to]) => ({ from, to })),
      }),
    );
  }
  return { diagrams: ids };
}
