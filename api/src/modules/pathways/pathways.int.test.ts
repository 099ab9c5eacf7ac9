import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';

let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
beforeAll(async () => {
  db = await createTestDatabase('pathways');
  api = await startTestApi(db.url);
  admin = await api.loginAs('admin@plant18.demo');
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const RUN = `mutation($i: RunPathwayScenarioInput!) { runPathwayScenario(input: $i) {
  id status reason totalCost adoptions { code year } years { year emissions } } }`;

describe('pathways over GraphQL', () => {
  it('saves measures, draws the MACC, solves and compares scenarios', async () => {
    for (const [code, capex, abatement] of [
      ['a', '10', '20'],
      ['b', '6', '15'],
      ['c', '5', '12'],
    ]) {
      const r = await admin.gql(
        `mutation($i: SavePathwayMeasureInput!) { savePathwayMeasure(input: $i) { code source } }`,
        {
          i: {
            enterpriseId: DEMO_ENTERPRISE_ID,
            code,
            kind: 'EFFICIENCY_MOTORS',
            name: code,
            capex,
            opex: '0',
            lifetimeYears: 10,
            abatement,
          },
        },
      );
      expect(r.errors).toBeUndefined();
    }
    const macc = await admin.gql<{ maccCurve: { code: string }[] }>(
      `query($e: ID!) { maccCurve(enterpriseId: $e, discountRatePercent: "0") { code costPerTonne } }`,
      { e: DEMO_ENTERPRISE_ID },
    );
    expect(macc.errors).toBeUndefined();
    expect(macc.data?.maccCurve.length).toBeGreaterThan(3);
    const input = {
      enterpriseId: DEMO_ENTERPRISE_ID,
      name: '30 % by 2026',
      baseYear: 2025,
      baseEmissions: '100',
      startYear: 2026,
      endYear: 2026,
      discountRatePercent: '0',
      cuts: [{ year: 2026, percent: '30' }],
      measureCodes: ['a', 'b', 'c'],
    };
    const ok = await admin.gql<{ runPathwayScenario: { id: string; status: string; totalCost: string } }>(
      RUN,
      { i: input },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.runPathwayScenario).toMatchObject({ status: 'OPTIMAL', totalCost: '15' });
    const bad = await admin.gql<{ runPathwayScenario: { id: string; status: string; reason: string } }>(RUN, {
      i: { ...input, name: 'too tight', annualBudget: '12' },
    });
    expect(bad.data?.runPathwayScenario.status).toBe('INFEASIBLE');
    expect(bad.data?.runPathwayScenario.reason).toMatch(/targets/);
    const cmp = await admin.gql<{ pathwayScenarios: { name: string; status: string }[] }>(
      `query($e: ID!, $ids: [ID!]) { pathwayScenarios(enterpriseId: $e, ids: $ids) { name status totalCost } }`,
      { e: DEMO_ENTERPRISE_ID, ids: [ok.data?.runPathwayScenario.id, bad.data?.runPathwayScenario.id] },
    );
    expect(cmp.errors).toBeUndefined();
    expect(cmp.data?.pathwayScenarios.map((s) => s.status).sort()).toEqual(['INFEASIBLE', 'OPTIMAL']);
  });

  it('needs baseEmissions when no final inventory exists', async () => {
    const r = await admin.gql(RUN, {
      i: { enterpriseId: DEMO_ENTERPRISE_ID, name: 'x', baseYear: 2024, startYear: 2026, endYear: 2027 },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
