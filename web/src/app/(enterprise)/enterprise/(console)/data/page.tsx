import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer } from '@/lib/auth/session';
import { load } from '@/lib/graphql/load';
import { DEVICES, type DeviceRow, METERS, type MeterRow } from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { enterpriseIdOf } from '@/lib/views/enterprise';
import { energyTypeLabel } from '@/lib/views/labels';
import { ManualReadingForm } from './manual-reading-client';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('data.title') };
}

/** Meters and manual readings (phone camera photo of the dial). */
export default async function DataPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const [meters, devices] = await Promise.all([
    load<{ meters: MeterRow[] }>('meters', METERS, { enterpriseId }),
    load<{ devices: DeviceRow[] }>('devices', DEVICES, { enterpriseId }),
  ]);
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
