import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenancy foundation (org tree, identity, audit, event payloads) and the row-level-security
 * machinery every tenant table uses:
 * - role `opencep_app` (NOLOGIN, not an owner): the API does `SET LOCAL ROLE opencep_app` in every
 *   tenant transaction, so RLS applies even when it connects as the owner;
 * - `app_tenant_visible(enterprise_id)` reads `app.enterprise_ids` / `app.all_enterprises` set per
 *   transaction by api/src/core/db.ts;
 * - `opencep_enable_tenant_rls('table')` enables RLS with the standard policy: other modules call it
 *   from their own migrations for each table carrying `enterprise_id`.
 */
export class TenancyIdentityAudit1764480060000 implements MigrationInterface {
  name = 'TenancyIdentityAudit1764480060000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide; parallel test databases may race to create it.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opencep_app') THEN
          CREATE ROLE opencep_app NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('GRANT opencep_app TO %I', current_user); EXCEPTION WHEN others THEN NULL; END $$`,
    );
    await q.query(`GRANT USAGE ON SCHEMA public TO opencep_app`);
    await q.query(`GRANT USAGE ON SCHEMA chain TO opencep_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO opencep_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO opencep_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA chain GRANT SELECT ON TABLES TO opencep_app`);
    await q.query(`GRANT SELECT ON ALL TABLES IN SCHEMA chain TO opencep_app`);
    await q.query(`GRANT SELECT ON platform_kv TO opencep_app`);

    await q.query(`
      CREATE FUNCTION app_tenant_visible(eid uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('app.all_enterprises', true), 'off') = 'on'
            OR eid = ANY (string_to_array(nullif(current_setting('app.enterprise_ids', true), ''), ',')::uuid[])
      $$`);
    await q.query(`
      CREATE FUNCTION app_park_visible(pid uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('app.all_parks', true), 'off') = 'on'
            OR pid = ANY (string_to_array(nullif(current_setting('app.park_ids', true), ''), ',')::uuid[])
      $$`);
    await q.query(`
      CREATE FUNCTION opencep_enable_tenant_rls(tbl regclass, col text DEFAULT 'enterprise_id') RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
          'CREATE POLICY tenant_isolation ON %s USING (app_tenant_visible(%I)) WITH CHECK (app_tenant_visible(%I))',
          tbl, col, col);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO opencep_app', tbl);
      END $$`);

    // ---- org ----
    await q.query(`
      CREATE TABLE parks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        jurisdiction text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE parks ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY park_scope ON parks USING (app_park_visible(id)) WITH CHECK (app_park_visible(id) OR coalesce(current_setting('app.all_parks', true), 'off') = 'on')`,
    );
    await q.query(`
      CREATE TABLE enterprises (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        park_id uuid NOT NULL REFERENCES parks(id),
        name text NOT NULL,
        industry text NOT NULL DEFAULT '',
        credit_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX enterprises_park ON enterprises (park_id)`);
    await q.query(`SELECT opencep_enable_tenant_rls('enterprises', 'id')`);
    await q.query(`
      CREATE TABLE sites (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        name text NOT NULL,
        address text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE areas (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        site_id uuid NOT NULL,
        name text NOT NULL,
        kind text NOT NULL DEFAULT 'WORKSHOP',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, id),
        FOREIGN KEY (enterprise_id, site_id) REFERENCES sites(enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        area_id uuid NOT NULL,
        name text NOT NULL,
        product text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, id),
        FOREIGN KEY (enterprise_id, area_id) REFERENCES areas(enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE equipment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        line_id uuid NOT NULL,
        code text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL DEFAULT '',
        rated_power_kw numeric,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, id),
        UNIQUE (enterprise_id, code),
        FOREIGN KEY (enterprise_id, line_id) REFERENCES lines(enterprise_id, id)
      )`);
    for (const t of ['sites', 'areas', 'lines', 'equipment']) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    await q.query(`CREATE INDEX areas_site ON areas (enterprise_id, site_id)`);
    await q.query(`CREATE INDEX lines_area ON lines (enterprise_id, area_id)`);
    await q.query(`CREATE INDEX equipment_line ON equipment (enterprise_id, line_id)`);

    // ---- identity ----
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email ON users (lower(email))`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        key_hash text NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE role_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        api_key_id uuid REFERENCES api_keys(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('ENTERPRISE_ADMIN','ENTERPRISE_OPERATOR','PARK_ADMIN','REGULATOR',
          'ASSOCIATION_MEMBER','VERIFIER','PLATFORM_ADMIN')),
        scope_type text NOT NULL CHECK (scope_type IN ('ENTERPRISE','PARK','JURISDICTION','ASSOCIATION','PLATFORM')),
        scope_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (num_nonnulls(user_id, api_key_id) = 1),
        CHECK ((scope_type = 'PLATFORM') = (scope_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX role_grants_unique ON role_grants
      (coalesce(user_id, api_key_id), role, scope_type, coalesce(scope_id, ''))`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoke_reason text
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id)`);
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        name text NOT NULL,
        address text NOT NULL UNIQUE CHECK (address ~ '^0x[0-9a-f]{40}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        UNIQUE (enterprise_id, id)
      )`);
    await q.query(`SELECT opencep_enable_tenant_rls('devices')`);
    await q.query(`
      CREATE TABLE device_batches (
        enterprise_id uuid NOT NULL,
        device_id uuid NOT NULL,
        nonce text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, device_id, nonce),
        FOREIGN KEY (enterprise_id, device_id) REFERENCES devices(enterprise_id, id)
      )`);
    await q.query(`SELECT opencep_enable_tenant_rls('device_batches')`);

    // ---- audit: append-only ----
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_id text,
        enterprise_id uuid,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        request_id text
      )`);
    await q.query(`CREATE INDEX audit_log_enterprise_at ON audit_log (enterprise_id, at DESC)`);
    await q.query(`ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY audit_read ON audit_log FOR SELECT USING (
      app_tenant_visible(enterprise_id) OR (enterprise_id IS NULL AND coalesce(current_setting('app.all_enterprises', true), 'off') = 'on'))`);
    await q.query(`CREATE POLICY audit_append ON audit_log FOR INSERT WITH CHECK (true)`);
    await q.query(`REVOKE ALL ON audit_log FROM PUBLIC, opencep_app`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO opencep_app`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    // ---- event bus overflow (payloads > 7.5 KB) ----
    await q.query(`
      CREATE TABLE event_payloads (
        id uuid PRIMARY KEY,
        topic text NOT NULL,
        enterprise_id uuid,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`REVOKE ALL ON event_payloads FROM opencep_app`);
    await q.query(`GRANT INSERT ON event_payloads TO opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'event_payloads',
      'audit_log',
      'device_batches',
      'devices',
      'refresh_tokens',
      'sessions',
      'role_grants',
      'api_keys',
      'users',
      'equipment',
      'lines',
      'areas',
      'sites',
      'enterprises',
      'parks',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP FUNCTION opencep_enable_tenant_rls(regclass, text)`);
    await q.query(`DROP FUNCTION app_park_visible(uuid)`);
    await q.query(`DROP FUNCTION app_tenant_visible(uuid)`);
    await q.query(`ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM opencep_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES REVOKE ALL ON SEQUENCES FROM opencep_app`);
  }
}
