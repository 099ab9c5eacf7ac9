import type { MigrationInterface, QueryRunner } from 'typeorm';

const OLD_CALL = String.raw`app_tenant_visible\(([a-z_][a-z0-9_]*)\)`;
// Uncorrelated scalar sub-selects become InitPlans: the settings are read and parsed once per
// query, each row then costs a boolean test and a uuid comparison against a tiny array.
const NEW_EXPR = `((SELECT app_all_tenants()) OR \\1 = ANY ((SELECT app_tenant_ids())::uuid[]))`;
// The form pg_get_expr prints back (for down).
const NEW_CALL = String.raw`\( SELECT app_all_tenants\(\) AS app_all_tenants\) OR \(([a-z_][a-z0-9_]*) = ANY \(\( SELECT app_tenant_ids\(\) AS app_tenant_ids\)::uuid\[\]\)\)`;

/**
 * Cheaper tenant RLS predicate (issue 7 profiling). The standard policy called
 * `app_tenant_visible(enterprise_id)`, which Postgres inlines to
 * `current_setting(...) = 'on' OR eid = ANY (string_to_array(current_setting(...), ',')::uuid[])`
 * and evaluates for every row: two GUC look-ups, a string split and a uuid[] cast per row
 * (≈ 40 % of a dashboard query over a few hundred thousand rollup rows).
 *
 * This migration rewrites every policy expression that calls `app_tenant_visible(col)` into
 * `((SELECT app_all_tenants()) OR col = ANY ((SELECT app_tenant_ids())::uuid[]))` — same semantics, the
 * settings evaluated once per statement — and makes `opencep_enable_tenant_rls` create that form
 * for tables added by later migrations. `app_tenant_visible` itself stays (callers may use it).
 */
export class CheapTenantRls1796023100000 implements MigrationInterface {
  name = 'CheapTenantRls1796023100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION app_tenant_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT string_to_array(nullif(current_setting('app.enterprise_ids', true), ''), ',')::uuid[]
      $$`);
    await q.query(`
      CREATE FUNCTION app_all_tenants() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce(current_setting('app.all_enterprises', true), 'off') = 'on'
      $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION app_tenant_ids(), app_all_tenants() TO opencep_app`);
    await this.rewrite(q, OLD_CALL, NEW_EXPR);
    await q.query(`
      CREATE OR REPLACE FUNCTION opencep_enable_tenant_rls(tbl regclass, col text DEFAULT 'enterprise_id') RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
          'CREATE POLICY tenant_isolation ON %s USING ((SELECT app_all_tenants()) OR %I = ANY ((SELECT app_tenant_ids())::uuid[])) '
          'WITH CHECK ((SELECT app_all_tenants()) OR %I = ANY ((SELECT app_tenant_ids())::uuid[]))',
          tbl, col, col);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO opencep_app', tbl);
      END $$`);
  }

  /** ALTER POLICY for every policy whose USING / WITH CHECK text matches `pattern`. */
  private async rewrite(q: QueryRunner, pattern: string, replacement: string): Promise<void> {
    await q.query(
      `DO $$
      DECLARE p record; u text; c text;
      BEGIN
        FOR p IN
          SELECT pol.polname, pol.polrelid::regclass AS rel,
                 pg_get_expr(pol.polqual, pol.polrelid) AS qual,
                 pg_get_expr(pol.polwithcheck, pol.polrelid) AS chk
          FROM pg_policy pol
          WHERE pg_get_expr(pol.polqual, pol.polrelid) ~ '${pattern}'
             OR pg_get_expr(pol.polwithcheck, pol.polrelid) ~ '${pattern}'
        LOOP
          u := regexp_replace(p.qual, '${pattern}', '${replacement}', 'g');
          c := regexp_replace(p.chk, '${pattern}', '${replacement}', 'g');
          IF u IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON %s USING (%s)', p.polname, p.rel, u);
          END IF;
          IF c IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON %s WITH CHECK (%s)', p.polname, p.rel, c);
          END IF;
        END LOOP;
      END $$`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rewrite(q, NEW_CALL, 'app_tenant_visible(\\1)');
    await q.query(`
      CREATE OR REPLACE FUNCTION opencep_enable_tenant_rls(tbl regclass, col text DEFAULT 'enterprise_id') RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
          'CREATE POLICY tenant_isolation ON %s USING (app_tenant_visible(%I)) WITH CHECK (app_tenant_visible(%I))',
          tbl, col, col);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO opencep_app', tbl);
      END $$`);
    await q.query(`DROP FUNCTION app_tenant_ids(), app_all_tenants()`);
  }
}
