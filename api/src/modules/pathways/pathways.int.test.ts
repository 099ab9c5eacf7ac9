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
    // Budget exactly at the optimum's capex: still A + C; the saved result respects budget and target.
    type Run = {
      id: string;
      status: string;
      totalCost: string;
      adoptions: { code: string; year: number }[];
      years: { year: number; emissions: string; capex: string }[];
    };
    const RUN2 = `mutation($i: RunPathwayScenarioInput!) { runPathwayScenario(input: $i) {
      id status totalCost adoptions { code year } years { year emissions capex } } }`;
    const tight = await admin.gql<{ runPathwayScenario: Run }>(RUN2, {
      i: { ...input, name: 'budget 15', annualBudget: '15' },
    });
    expect(tight.errors).toBeUndefined();
    const t = tight.data?.runPathwayScenario as Run;
    expect(t).toMatchObject({ status: 'OPTIMAL', totalCost: '15' });
    expect(t.adoptions.map((a) => a.code).sort()).toEqual(['a', 'c']);
    expect(Number(t.years[0]?.capex)).toBeLessThanOrEqual(15);
    expect(Number(t.years[0]?.emissions)).toBeLessThanOrEqual(70);
    // A looser target (27 %): B + C (11) is cheaper than A + C.
    const loose = await admin.gql<{ runPathwayScenario: Run }>(RUN2, {
      i: { ...input, name: '27 %', cuts: [{ year: 2026, percent: '27' }] },
    });
    expect(loose.data?.runPathwayScenario).toMatchObject({ status: 'OPTIMAL', totalCost: '11' });
    const ids = [
      ok.data?.runPathwayScenario.id,
      bad.data?.runPathwayScenario.id,
      t.id,
      loose.data?.runPathwayScenario.id,
    ];
    const cmp = await admin.gql<{
      pathwayScenarios: (Run & { name: string; inputs: string })[];
    }>(
      `query($e: ID!, $ids: [ID!]) { pathwayScenarios(enterpriseId: $e, ids: $ids) {
        id name status totalCost inputs adoptions { code year } years { year emissions capex } } }`,
      { e: DEMO_ENTERPRISE_ID, ids },
    );
    expect(cmp.errors).toBeUndefined();
    const saved = new Map(cmp.data?.pathwayScenarios.map((s) => [s.id, s]));
    expect(saved.size).toBe(4);
    expect(saved.get(ids[1] as string)?.status).toBe('INFEASIBLE');
    // Saved scenarios read back exactly as they were solved, inputs included, so they compare.
    for (const run of [t, loose.data?.runPathwayScenario as Run]) {
      const s = saved.get(run.id);
      expect(s).toMatchObject({ status: run.status, totalCost: run.totalCost, years: run.years });
      expect(s?.adoptions.map((a) => a.code).sort()).toEqual(run.adoptions.map((a) => a.code).sort());
    }
    expect(JSON.parse(saved.get(t.id)?.inputs ?? '{}')).toMatchObject({ annualBudget: '15' });
    expect(
      [...saved.values()]
        .filter((s) => s.status === 'OPTIMAL')
        .map((s) => s.totalCost)
        .sort(),
    ).toEqual(['11', '15', '15']);
  });

  it('needs baseEmissions when no final inventory exists', async () => {
    const r = await admin.gql(RUN, {
      i: { enterpriseId: DEMO_ENTERPRISE_ID, name: 'x', baseYear: 2024, startYear: 2026, endYear: 2027 },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
