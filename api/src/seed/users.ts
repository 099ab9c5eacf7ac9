import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Role } from '../core/permissions';
import { hashPassword } from '../modules/identity/identity.service';

/** Deterministic UUID (name-based, v5 layout) so seeds are idempotent and ids stable across machines. */
export function demoId(name: string): string {
  const h = createHash('sha1').update(`opencep-demo:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const DEMO_PASSWORD = 'opencep-demo';
export const DEMO_PARK_ID = demoId('park:changsha');
export const DEMO_ENTERPRISE_ID = demoId('enterprise:plant18');
export const DEMO_JURISDICTION = 'CN-HN-CS';
export const DEMO_ASSOCIATION = 'cmia';

/** Demo logins (password `opencep-demo` for all). */
export const DEMO_LOGINS: { email: string; name: string; role: Role; scopeId: string | null }[] = [
  { email: 'platform@opencep.demo', name: 'Platform Admin', role: 'PLATFORM_ADMIN', scopeId: null },
  {
    email: 'admin@plant18.demo',
    name: 'Plant 18 Energy Manager',
    role: 'ENTERPRISE_ADMIN',
    scopeId: DEMO_ENTERPRISE_ID,
  },
  {
    email: 'operator@plant18.demo',
    name: 'Plant 18 Operator',
    role: 'ENTERPRISE_OPERATOR',
    scopeId: DEMO_ENTERPRISE_ID,
  },
  { email: 'park@changsha.demo', name: 'Changsha Park Admin', role: 'PARK_ADMIN', scopeId: DEMO_PARK_ID },
  {
    email: 'regulator@hunan.demo',
    name: 'Changsha Ecology Bureau',
    role: 'REGULATOR',
    scopeId: DEMO_JURISDICTION,
  },
  {
    email: 'member@cmia.demo',
    name: 'Association Member',
    role: 'ASSOCIATION_MEMBER',
    scopeId: DEMO_ASSOCIATION,
  },
  {
    email: 'verifier@audit.demo',
    name: 'Third-party Verifier',
    role: 'VERIFIER',
    scopeId: DEMO_ENTERPRISE_ID,
  },
];

const SCOPE_OF: Record<Role, string> = {
  ENTERPRISE_ADMIN: 'ENTERPRISE',
  ENTERPRISE_OPERATOR: 'ENTERPRISE',
  PARK_ADMIN: 'PARK',
  REGULATOR: 'JURISDICTION',
  ASSOCIATION_MEMBER: 'ASSOCIATION',
  VERIFIER: 'ENTERPRISE',
  PLATFORM_ADMIN: 'PLATFORM',
  DEVICE: 'ENTERPRISE',
};

/** Plant 18 (pump trucks and cranes): workshops → lines → equipment (code, name, kind, rated kW). */
const PLANT: Record<string, { kind: string; lines: Record<string, [string, string, string, string][]> }> = {
  Welding: {
    kind: 'WORKSHOP',
    lines: {
      'Boom welding line': [
        ['WLD-R01', 'Boom welding robot 1', 'welding robot', '18.5'],
        ['WLD-R02', 'Boom welding robot 2', 'welding robot', '18.5'],
      ],
      'Chassis welding line': [['WLD-M01', 'CO2 MAG welding station', 'welding station', '25']],
    },
  },
  Machining: {
    kind: 'WORKSHOP',
    lines: {
      'Slewing ring machining': [
        ['MCH-C01', 'CNC vertical lathe', 'CNC lathe', '45'],
        ['MCH-B01', 'Boring mill', 'boring mill', '37'],
      ],
    },
  },
  Painting: {
    kind: 'WORKSHOP',
    lines: {
      'Paint line': [
        ['PNT-B01', 'Spray booth', 'spray booth', '55'],
        ['PNT-O01', 'Curing oven (gas)', 'curing oven', '30'],
      ],
    },
  },
  Assembly: {
    kind: 'WORKSHOP',
    lines: {
      'Pump truck assembly': [['ASM-P01', 'Pump truck final assembly cell', 'assembly cell', '15']],
      'Crane assembly': [['ASM-C01', 'Crane final assembly cell', 'assembly cell', '22']],
    },
  },
  Utilities: {
    kind: 'UTILITIES',
    lines: {
      'Compressed air': [['UTL-AC1', 'Screw air compressor 1', 'air compressor', '110']],
      'Power distribution': [['UTL-TR1', 'Main transformer 10kV/0.4kV', 'transformer', '2000']],
    },
  },
};

/**
 * Creates the demo park "Changsha Industrial Park", enterprise "Plant 18" with its plant tree, and one
 * login per role. Idempotent: fixed ids, ON CONFLICT DO NOTHING. Runs as the connection role (no RLS).
 */
export async function seedDemoIdentity(dataSource: DataSource): Promise<{
  parkId: string;
  enterpriseId: string;
  logins: typeof DEMO_LOGINS;
}> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await dataSource.transaction(async (em) => {
    await em.query(
      `INSERT INTO parks (id, name, jurisdiction) VALUES ($1, 'Changsha Industrial Park', $2) ON CONFLICT (id) DO NOTHING`,
      [DEMO_PARK_ID, DEMO_JURISDICTION],
    );
    await em.query(
      `INSERT INTO enterprises (id, park_id, name, industry) VALUES ($1, $2, 'Plant 18', 'Construction machinery: concrete pump trucks and cranes')
       ON CONFLICT (id) DO NOTHING`,
      [DEMO_ENTERPRISE_ID, DEMO_PARK_ID],
    );
    // Plant 18 on the park layout (canvas 1000 × 600, migration ParkLayout1796029000000).
    await em.query(
      `INSERT INTO park_layout_position (park_id, enterprise_id, x, y, label, outline)
       VALUES ($1, $2, 320, 260, 'Plant 18 · Block A', $3::jsonb) ON CONFLICT DO NOTHING`,
      [
        DEMO_PARK_ID,
        DEMO_ENTERPRISE_ID,
        JSON.stringify([
          { x: 200, y: 170 },
          { x: 440, y: 170 },
          { x: 440, y: 350 },
          { x: 200, y: 350 },
        ]),
      ],
    );
    const e = DEMO_ENTERPRISE_ID;
    const siteId = demoId('site:plant18-main');
    await em.query(
      `INSERT INTO sites (id, enterprise_id, name, address) VALUES ($1, $2, 'Plant 18 main site', 'Changsha, Hunan')
       ON CONFLICT (id) DO NOTHING`,
      [siteId, e],
    );
    for (const [areaName, area] of Object.entries(PLANT)) {
      const areaId = demoId(`area:${areaName}`);
      await em.query(
        `INSERT INTO areas (id, enterprise_id, site_id, name, kind) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [areaId, e, siteId, `${areaName} workshop`, area.kind],
      );
      for (const [lineName, items] of Object.entries(area.lines)) {
        const lineId = demoId(`line:${lineName}`);
        await em.query(
          `INSERT INTO lines (id, enterprise_id, area_id, name) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
          [lineId, e, areaId, lineName],
        );
        for (const [code, name, kind, kw] of items) {
          await em.query(
            `INSERT INTO equipment (id, enterprise_id, line_id, code, name, kind, rated_power_kw)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
            [demoId(`equipment:${code}`), e, lineId, code, name, kind, kw],
          );
        }
      }
    }
    for (const login of DEMO_LOGINS) {
      const userId = demoId(`user:${login.email}`);
      await em.query(
        `INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [userId, login.email, login.name, passwordHash],
      );
      await em.query(
        `INSERT INTO role_grants (user_id, role, scope_type, scope_id)
         SELECT id, $2, $3, $4 FROM users WHERE lower(email) = lower($1) ON CONFLICT DO NOTHING`,
        [login.email, login.role, SCOPE_OF[login.role], login.scopeId],
      );
    }
  });
  return { parkId: DEMO_PARK_ID, enterpriseId: DEMO_ENTERPRISE_ID, logins: DEMO_LOGINS };
}
