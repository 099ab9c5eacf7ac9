import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Energy management (DESIGN §3 energy, alarms, topology):
 * - TOU tariff plans (definition JSON for TypeScript + normalised ranges for SQL) and the hook the
 *   metering rollups call: `energy_tou_period(enterprise_id, ts)` → 'sharp'|'peak'|'flat'|'valley'|'none';
 * - production records (unit consumption), transformers;
 * - alarm rules, per-rule evaluator state, alarm events (one open event per rule + subject);
 * - topology diagrams (nodes bound to meters, edges).
 */
export class EnergyAlarmsTopology1796016500000 implements MigrationInterface {
  name = 'EnergyAlarmsTopology1796016500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE energy_tariff_plan (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        code text NOT NULL,
        name text NOT NULL,
        valid_from date NOT NULL,
        valid_to date NULL CHECK (valid_to IS NULL OR valid_to >= valid_from),
        utc_offset_minutes integer NOT NULL CHECK (utc_offset_minutes BETWEEN -840 AND 840),
        currency text NOT NULL DEFAULT 'CNY',
        holidays date[] NOT NULL DEFAULT '{}',
        definition jsonb NOT NULL,
        source jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        UNIQUE (enterprise_id, code)
      )`);
    await q.query(
      `CREATE INDEX energy_tariff_plan_validity ON energy_tariff_plan (enterprise_id, valid_from DESC)`,
    );
    await q.query(`
      CREATE TABLE energy_tariff_range (
        enterprise_id uuid NOT NULL,
        plan_id uuid NOT NULL,
        season_idx integer NOT NULL,
        schedule_idx integer NOT NULL,
        months integer[] NOT NULL,
        day_types text[] NULL,
        start_minute integer NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
        end_minute integer NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
        period text NOT NULL CHECK (period IN ('sharp','peak','flat','valley')),
        FOREIGN KEY (enterprise_id, plan_id) REFERENCES energy_tariff_plan (enterprise_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX energy_tariff_range_plan ON energy_tariff_range (enterprise_id, plan_id)`);

    // Same rules as classify() in api/src/modules/energy/tou.ts: local time = UTC + fixed offset;
    // day type holiday > weekend > workday; first season (by index) whose months and day types match.
    // PL/pgSQL on purpose: its statement plans are cached per session, so a per-row call (rollups,
    // alarm evaluation) costs microseconds, where a nested SQL function is re-planned on every call.
    const classifyFrom = (planFilter: string) => `
        WITH p AS (
          SELECT p.enterprise_id, p.id, p.holidays,
                 (p_ts AT TIME ZONE 'UTC') + make_interval(mins => p.utc_offset_minutes) AS lt
          FROM energy_tariff_plan p
          WHERE ${planFilter}
          ORDER BY p.valid_from DESC
          LIMIT 1
        ), x AS (
          SELECT p.enterprise_id, p.id,
                 (extract(hour FROM p.lt) * 60 + extract(minute FROM p.lt))::int AS m,
                 extract(month FROM p.lt)::int AS mon,
                 CASE WHEN p.lt::date = ANY (p.holidays) THEN 'holiday'
                      WHEN extract(isodow FROM p.lt) >= 6 THEN 'weekend' ELSE 'workday' END AS dt
          FROM p
        )
        SELECT r.period FROM x
        JOIN energy_tariff_range r ON r.enterprise_id = x.enterprise_id AND r.plan_id = x.id
        WHERE x.mon = ANY (r.months)
          AND (r.day_types IS NULL OR x.dt = ANY (r.day_types))
          AND CASE WHEN r.start_minute < r.end_minute THEN x.m >= r.start_minute AND x.m < r.end_minute
                   ELSE x.m >= r.start_minute OR x.m < r.end_minute END
        ORDER BY r.season_idx, r.schedule_idx
        LIMIT 1`;
    await q.query(`
      CREATE FUNCTION energy_plan_tou_period(p_enterprise uuid, p_plan uuid, p_ts timestamptz) RETURNS text
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      DECLARE result text;
      BEGIN
        ${classifyFrom('p.enterprise_id = p_enterprise AND p.id = p_plan')} INTO result;
        RETURN result;
      END $$`);
    // The TOU hook for metering rollups: plan in force on the local date (latest valid_from wins).
    await q.query(`
      CREATE FUNCTION energy_tou_period(p_enterprise uuid, p_ts timestamptz) RETURNS text
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      DECLARE result text;
      BEGIN
        ${classifyFrom(`p.enterprise_id = p_enterprise
            AND p.valid_from <= ((p_ts AT TIME ZONE 'UTC') + make_interval(mins => p.utc_offset_minutes))::date
            AND (p.valid_to IS NULL
                 OR p.valid_to >= ((p_ts AT TIME ZONE 'UTC') + make_interval(mins => p.utc_offset_minutes))::date)`)} INTO result;
        RETURN coalesce(result, 'none');
      END $$`);

    await q.query(`
      CREATE TABLE energy_production_record (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        line_id uuid NOT NULL,
        product text NOT NULL,
        quantity numeric NOT NULL CHECK (quantity >= 0),
        shift text NOT NULL,
        team text NOT NULL,
        start_ts timestamptz NOT NULL,
        end_ts timestamptz NOT NULL CHECK (end_ts > start_ts),
        source text NOT NULL CHECK (source IN ('manual','erp')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        FOREIGN KEY (enterprise_id, line_id) REFERENCES lines (enterprise_id, id)
      )`);
    await q.query(
      `CREATE INDEX energy_production_line_time ON energy_production_record (enterprise_id, line_id, start_ts)`,
    );

    await q.query(`
      CREATE TABLE energy_transformer (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        rated_kva numeric NOT NULL CHECK (rated_kva > 0),
        no_load_loss_kw numeric NOT NULL CHECK (no_load_loss_kw >= 0),
        load_loss_kw numeric NOT NULL CHECK (load_loss_kw >= 0),
        overload_rate numeric NOT NULL DEFAULT 1,
        low_load_rate numeric NOT NULL DEFAULT 0.3,
        active_meter_id uuid NOT NULL,
        reactive_meter_id uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        FOREIGN KEY (enterprise_id, active_meter_id) REFERENCES metering_meter (enterprise_id, id),
        FOREIGN KEY (enterprise_id, reactive_meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);

    await q.query(`
      CREATE TABLE alarm_rule (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN
          ('threshold','rate_of_change','no_data','over_plan','running_in_peak','transformer_overload','state')),
        severity text NOT NULL DEFAULT 'warning' CHECK (severity IN ('info','warning','critical')),
        meter_id uuid NOT NULL,
        reactive_meter_id uuid NULL,
        spec jsonb NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        FOREIGN KEY (enterprise_id, meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);
    await q.query(`CREATE INDEX alarm_rule_meter ON alarm_rule (enterprise_id, meter_id) WHERE enabled`);
    // Evaluator memory per rule + subject: the pure machine's state and the last reading consumed.
    await q.query(`
      CREATE TABLE alarm_state (
        enterprise_id uuid NOT NULL,
        rule_id uuid NOT NULL,
        subject text NOT NULL,
        state jsonb NOT NULL,
        cursor_ts timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, rule_id, subject),
        FOREIGN KEY (enterprise_id, rule_id) REFERENCES alarm_rule (enterprise_id, id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE alarm_event (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        rule_id uuid NOT NULL,
        subject text NOT NULL,
        status text NOT NULL CHECK (status IN ('raised','acknowledged','cleared')),
        severity text NOT NULL,
        message text NOT NULL,
        raised_at timestamptz NOT NULL,
        raised_value numeric NULL,
        acknowledged_at timestamptz NULL,
        acknowledged_by text NULL,
        ack_note text NULL,
        cleared_at timestamptz NULL,
        cleared_value numeric NULL,
        PRIMARY KEY (enterprise_id, id),
        FOREIGN KEY (enterprise_id, rule_id) REFERENCES alarm_rule (enterprise_id, id) ON DELETE CASCADE
      )`);
    // De-duplication: at most one open (not cleared) event per rule + subject.
    await q.query(
      `CREATE UNIQUE INDEX alarm_event_one_open ON alarm_event (enterprise_id, rule_id, subject) WHERE status <> 'cleared'`,
    );
    await q.query(`CREATE INDEX alarm_event_time ON alarm_event (enterprise_id, raised_at DESC)`);

    await q.query(`
      CREATE TABLE topology_diagram (
        enterprise_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('power','water','gas','steam','air','layout')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE topology_node (
        enterprise_id uuid NOT NULL,
        diagram_id uuid NOT NULL,
        key text NOT NULL,
        label text NOT NULL,
        kind text NOT NULL,
        x numeric NOT NULL DEFAULT 0,
        y numeric NOT NULL DEFAULT 0,
        meter_id uuid NULL,
        props jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (enterprise_id, diagram_id, key),
        FOREIGN KEY (enterprise_id, diagram_id) REFERENCES topology_diagram (enterprise_id, id) ON DELETE CASCADE,
        FOREIGN KEY (enterprise_id, meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE topology_edge (
        enterprise_id uuid NOT NULL,
        diagram_id uuid NOT NULL,
        from_key text NOT NULL,
        to_key text NOT NULL,
        props jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (enterprise_id, diagram_id, from_key, to_key),
        FOREIGN KEY (enterprise_id, diagram_id, from_key) REFERENCES topology_node (enterprise_id, diagram_id, key) ON DELETE CASCADE,
        FOREIGN KEY (enterprise_id, diagram_id, to_key) REFERENCES topology_node (enterprise_id, diagram_id, key) ON DELETE CASCADE
      )`);

    for (const t of [
      'energy_tariff_plan',
      'energy_tariff_range',
      'energy_production_record',
      'energy_transformer',
      'alarm_rule',
      'alarm_state',
      'alarm_event',
      'topology_diagram',
      'topology_node',
      'topology_edge',
    ]) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE topology_edge, topology_node, topology_diagram, alarm_event, alarm_state, alarm_rule,
      energy_transformer, energy_production_record`);
    await q.query(
      `DROP FUNCTION energy_tou_period(uuid, timestamptz), energy_plan_tou_period(uuid, uuid, timestamptz)`,
    );
    await q.query(`DROP TABLE energy_tariff_range, energy_tariff_plan`);
  }
}
