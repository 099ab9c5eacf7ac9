import type { Metadata } from 'next';
import { ActionForm } from '@/components/action-form-client';
import { FileHashField } from '@/components/file-hash-field-client';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer } from '@/lib/auth/session';
import type { MessageKey } from '@/i18n';
import { load, nodes } from '@/lib/graphql/load';
import {
  DEVICES,
  type DeviceRow,
  EMISSION_SOURCES,
  type EmissionSourceRow,
  METERS,
  type MeterRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { enterpriseIdOf } from '@/lib/views/enterprise';
import { energyTypeLabel } from '@/lib/views/labels';
import { CsvImportForm } from './csv-import-client';
import { recordActivityAction, recordMeasuredFactorAction } from './entry-actions';
import { ManualReadingForm } from './manual-reading-client';
import { XlsxImportForm } from './xlsx-import-client';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('data.title') };
}

/** Meters and manual readings (phone camera photo of the dial). */
export default async function DataPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const [meters, devices, sources] = await Promise.all([
    load<{ meters: MeterRow[] }>('meters', METERS, { enterpriseId }),
    load<{ devices: DeviceRow[] }>('devices', DEVICES, { enterpriseId }),
    load<{ emissionSources: { edges: { node: EmissionSourceRow }[] } }>('emissionSources', EMISSION_SOURCES, {
      enterpriseId,
    }),
  ]);
  const sourceRows = sources.ok ? nodes(sources.data.emissionSources).filter((s) => s.active) : [];
  const rows = meters.ok ? meters.data.meters.filter((m) => m.kind !== 'status') : [];
  const allRows = meters.ok ? meters.data.meters : [];
  return (
    <>
      <h1>{t('data.title')}</h1>
      <div className="grid">
        <Panel id="meters" title={t('data.meters')} wide>
          {!meters.ok ? (
            <LoadState result={meters} t={t} />
          ) : (
            <DataTable<MeterRow>
              caption={t('data.meters')}
              rows={allRows}
              rowKey={(m) => m.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'code',
                  header: t('data.meter.code'),
                  render: (m) => <span className="mono">{m.code}</span>,
                },
                { key: 'name', header: t('data.meter.name'), render: (m) => m.name },
                {
                  key: 'type',
                  header: t('data.meter.energyType'),
                  render: (m) => energyTypeLabel(t, m.energyType),
                },
                { key: 'kind', header: t('data.meter.kind'), render: (m) => m.kind },
                { key: 'unit', header: t('data.meter.unit'), render: (m) => m.unit },
              ]}
            />
          )}
        </Panel>
        <Panel id="manual" title={t('data.manual.title')}>
          {!meters.ok ? (
            <LoadState result={meters} t={t} />
          ) : rows.length === 0 ? (
            <EmptyState message={t('data.manual.noMeters')} />
          ) : (
            <ManualReadingForm
              enterpriseId={enterpriseId}
              meters={rows.map((m) => ({ id: m.id, label: `${m.code} · ${m.name}`, unit: m.unit }))}
              labels={{
                meter: t('data.manual.meter'),
                value: t('data.manual.value'),
                time: t('data.manual.time'),
                photo: t('data.manual.photo'),
                photoHint: t('data.manual.photoHint'),
                submit: t('data.manual.submit'),
                saved: t('data.manual.saved'),
                invalid: t('data.manual.invalid'),
                notAvailable: t('state.notAvailable.title'),
                error: t('state.error.title'),
              }}
            />
          )}
        </Panel>
        <Panel id="csv-import" title={t('data.import.title')} wide>
          <CsvImportForm
            enterpriseId={enterpriseId}
            labels={{
              kind: t('data.import.kind'),
              readings: t('data.import.readings'),
              production: t('data.import.production'),
              file: t('data.import.file'),
              text: t('data.import.text'),
              submit: t('data.import.submit'),
              result: t('data.import.result'),
              errors: t('data.import.errors'),
              row: t('data.import.row'),
              column: t('data.import.column'),
              code: t('data.import.code'),
              message: t('data.import.message'),
              failed: t('form.notSaved'),
              formatReadings: 'meter_code,ts,value,unit',
              formatProduction: 'line,product,quantity,shift,team,start,end',
            }}
          />
        </Panel>
        <Panel id="xlsx-import" title={t('data.xlsx.title')} wide>
          <XlsxImportForm
            enterpriseId={enterpriseId}
            labels={{
              file: t('data.xlsx.file'),
              submit: t('data.import.submit'),
              result: t('data.import.result'),
              errors: t('data.import.errors'),
              sheet: t('data.xlsx.sheet'),
              row: t('data.import.row'),
              column: t('data.import.column'),
              code: t('data.import.code'),
              message: t('data.import.message'),
              failed: t('form.notSaved'),
              format: 'meter_code | ts | value | unit',
            }}
          />
        </Panel>
        <Panel id="activity" title={t('data.activity.title')}>
          {!sources.ok ? (
            <LoadState result={sources} t={t} />
          ) : sourceRows.length === 0 ? (
            <EmptyState message={t('data.activity.noSources')} />
          ) : (
            <ActionForm
              action={recordActivityAction}
              submit={t('data.activity.submit')}
              okText={t('form.saved')}
              errorText={t('form.notSaved')}
              testId="activity-form"
            >
              <div className="field">
                <label htmlFor="ac-source">{t('data.activity.source')}</label>
                <select id="ac-source" name="sourceId">
                  {sourceRows.map((s) => (
                    <option key={s.id} value={s.id}>{`${s.code} · ${s.name} (${s.unit})`}</option>
                  ))}
                </select>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="ac-qty">{t('data.activity.quantity')}</label>
                  <input id="ac-qty" name="quantity" inputMode="decimal" required autoComplete="off" />
                </div>
                <div className="field">
                  <label htmlFor="ac-unit">{t('data.meter.unit')}</label>
                  <input id="ac-unit" name="unit" required defaultValue={sourceRows[0]?.unit ?? ''} />
                </div>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="ac-from">{t('data.activity.from')}</label>
                  <input id="ac-from" name="periodStart" type="date" required />
                </div>
                <div className="field">
                  <label htmlFor="ac-to">{t('data.activity.to')}</label>
                  <input id="ac-to" name="periodEnd" type="date" required />
                </div>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="ac-kind">{t('data.activity.evidenceKind')}</label>
                  <select id="ac-kind" name="evidenceKind">
                    {['voucher', 'erp', 'lab-report', 'contract', 'certificate-registry', 'manual'].map(
                      (k) => (
                        <option key={k} value={k}>
                          {t(`data.evidence.${k}` as MessageKey)}
                        </option>
                      ),
                    )}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="ac-ref">{t('data.activity.reference')}</label>
                  <input id="ac-ref" name="evidenceReference" required autoComplete="off" />
                </div>
              </div>
              <FileHashField
                label={t('data.activity.attachment')}
                hashLabel={t('verifier.documentHash')}
                name="attachmentSha256"
                required={false}
              />
            </ActionForm>
          )}
        </Panel>
        <Panel id="measured-factor" title={t('data.factor.title')}>
          {!sources.ok ? (
            <LoadState result={sources} t={t} />
          ) : sourceRows.length === 0 ? (
            <EmptyState message={t('data.activity.noSources')} />
          ) : (
            <ActionForm
              action={recordMeasuredFactorAction}
              submit={t('data.factor.submit')}
              okText={t('form.saved')}
              errorText={t('form.notSaved')}
              testId="factor-form"
            >
              <div className="field">
                <label htmlFor="mf-source">{t('data.activity.source')}</label>
                <select id="mf-source" name="sourceId">
                  {sourceRows.map((s) => (
                    <option key={s.id} value={s.id}>{`${s.code} · ${s.name}`}</option>
                  ))}
                </select>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="mf-role">{t('data.factor.role')}</label>
                  <select id="mf-role" name="role">
                    {['ncv', 'carbonContent', 'oxidationRate', 'gasMassFraction', 'emissionFactor'].map(
                      (r) => (
                        <option key={r} value={r}>
                          {t(`data.factor.${r}` as MessageKey)}
                        </option>
                      ),
                    )}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="mf-value">{t('data.factor.value')}</label>
                  <input id="mf-value" name="value" inputMode="decimal" required autoComplete="off" />
                </div>
                <div className="field">
                  <label htmlFor="mf-unit">{t('data.meter.unit')}</label>
                  <input id="mf-unit" name="unit" required autoComplete="off" />
                </div>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="mf-from">{t('data.activity.from')}</label>
                  <input id="mf-from" name="validFrom" type="date" required />
                </div>
                <div className="field">
                  <label htmlFor="mf-to">{t('data.activity.to')}</label>
                  <input id="mf-to" name="validTo" type="date" required />
                </div>
              </div>
              <div className="field">
                <label htmlFor="mf-ref">{t('data.activity.reference')}</label>
                <input id="mf-ref" name="evidenceReference" required autoComplete="off" />
              </div>
              <FileHashField
                label={t('data.activity.attachment')}
                hashLabel={t('verifier.documentHash')}
                name="attachmentSha256"
                required={false}
              />
            </ActionForm>
          )}
        </Panel>
        <Panel id="devices" title={t('data.devices')}>
          {!devices.ok ? (
            <LoadState result={devices} t={t} />
          ) : (
            <DataTable<DeviceRow>
              caption={t('data.devices')}
              rows={devices.data.devices}
              rowKey={(d) => d.id}
              empty={t('state.empty')}
              columns={[
                { key: 'name', header: t('table.name'), render: (d) => d.name },
                {
                  key: 'addr',
                  header: t('data.device.address'),
                  render: (d) => <span className="mono">{d.address}</span>,
                },
                {
                  key: 'status',
                  header: t('table.status'),
                  render: (d) =>
                    d.revokedAt
                      ? `✕ ${t('data.device.revoked')} ${f.date(d.revokedAt)}`
                      : `✓ ${t('data.device.active')}`,
                },
              ]}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
