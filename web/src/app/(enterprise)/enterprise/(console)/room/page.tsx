import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { TopologyDiagramLive } from '@/components/topology-diagram-client';
import { config } from '@/config';
import type { MessageKey, Translate, Formatters } from '@/i18n';
import { getViewer } from '@/lib/auth/session';
import { load } from '@/lib/graphql/load';
import { type AlarmRow, OPEN_ALARMS } from '@/lib/graphql/operations';
import {
  type DiagramNodeView,
  type DiagramSummary,
  type DiagramView,
  TOPOLOGY_DIAGRAM,
  TOPOLOGY_DIAGRAMS,
} from '@/lib/graphql/operations-views';
import { getI18n } from '@/lib/i18n/server';
import { enterpriseIdOf } from '@/lib/views/enterprise';
import { ALARM_STYLE, alarmLevel, isSensorKind, sensorReading } from '@/lib/views/topology';
import { topologyLabels } from '../topology/labels';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('room.title') };
}

function sensorValue(n: DiagramNodeView, t: Translate, f: Formatters): string {
  const r = sensorReading(n.kind, n.value);
  if (n.value === null) return t('topology.noData');
  if (r?.type === 'analog') return f.quantity(n.value, r.unit, 1);
  if (r?.type === 'state') return t(r.key as MessageKey);
  return n.value;
}

/**
 * Distribution-room status: every plant-layout diagram whose nodes are room sensors (temperature,
 * humidity, water leak, smoke, door, breaker state) — current value, alarm state (colour, icon and
 * word), the room layout live, and the open alarms of those sensors.
 */
export default async function DistributionRoomPage() {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const [list, alarms] = await Promise.all([
    load<{ topologyDiagrams: DiagramSummary[] }>('topologyDiagrams', TOPOLOGY_DIAGRAMS, {
      enterpriseId,
      kind: 'layout',
    }),
    load<{ alarmEvents: AlarmRow[] }>('alarmEvents', OPEN_ALARMS, { enterpriseId }),
  ]);
  const layouts = list.ok ? list.data.topologyDiagrams : [];
  const loaded = await Promise.all(
    layouts.slice(0, 10).map((d) =>
      load<{ topologyDiagram: DiagramView }>('topologyDiagram', TOPOLOGY_DIAGRAM, {
        enterpriseId,
        id: d.id,
      }),
    ),
  );
  const rooms = loaded
    .flatMap((r) => (r.ok ? [r.data.topologyDiagram] : []))
    .filter((d) => d.nodes.some((n) => isSensorKind(n.kind)));
  const failed = loaded.find((r) => !r.ok);
  const sensorMeters = new Map(
    rooms.flatMap((d) =>
      d.nodes.filter((n) => n.meterId && isSensorKind(n.kind)).map((n) => [n.meterId!, n]),
    ),
  );
  const labels = topologyLabels(t);
  return (
    <>
      <h1>{t('room.title')}</h1>
      <div className="grid">
        {!list.ok ? (
          <Panel id="rooms" title={t('room.title')} wide>
            <LoadState result={list} t={t} />
          </Panel>
        ) : failed && !failed.ok ? (
          <Panel id="rooms" title={t('room.title')} wide>
            <LoadState result={failed} t={t} />
          </Panel>
        ) : rooms.length === 0 ? (
          <Panel id="rooms" title={t('room.title')} wide>
            <EmptyState message={t('room.none')} />
          </Panel>
        ) : null}
        {rooms.map((room) => (
          <Panel key={room.id} id={`room-${room.id}`} title={room.name} wide>
            <ul
              className="sensor-tiles"
              data-testid="room-sensors"
              style={{
                display: 'grid',
                gridTemplateColumns: 'repeat(auto-fill, minmax(11rem, 1fr))',
                gap: '0.75rem',
                listStyle: 'none',
                padding: 0,
              }}
            >
              {room.nodes
                .filter((n) => isSensorKind(n.kind))
                .map((n) => {
                  const level = alarmLevel(n);
                  const style = ALARM_STYLE[level];
                  return (
                    <li
                      key={n.key}
                      data-testid={`sensor-${n.key}`}
                      data-level={level}
                      style={{ border: `2px solid ${style.fill}`, borderRadius: 8, padding: '0.6rem 0.8rem' }}
                    >
                      <p className="hint" style={{ margin: 0 }}>
                        {t(`room.sensor.${n.kind}` as MessageKey)}
                      </p>
                      <p style={{ margin: '0.2rem 0', fontSize: '1.35rem', fontWeight: 700 }}>
                        {sensorValue(n, t, f)}
                      </p>
                      <p style={{ margin: 0, color: style.fill, fontWeight: 600 }}>
                        <span aria-hidden="true">{`${style.icon} `}</span>
                        {labels.level[level]}
                      </p>
                      <p className="hint" style={{ margin: 0 }}>
                        {`${n.label} · ${f.time(n.ts)}`}
                      </p>
                    </li>
                  );
                })}
            </ul>
            <h3>{t('room.layout')}</h3>
            <TopologyDiagramLive
              key={room.id}
              initial={room}
              enterpriseId={enterpriseId}
              query={TOPOLOGY_DIAGRAM}
              wsUrl={config().apiWsUrl}
              locale={locale}
              timeZone={config().timeZone}
              labels={labels}
            />
          </Panel>
        ))}
        {rooms.length > 0 ? (
          <Panel id="room-alarms" title={t('room.alarms')} wide>
            {!alarms.ok ? (
              <LoadState result={alarms} t={t} />
            ) : (
              <DataTable<AlarmRow>
                caption={t('room.alarms')}
                rows={alarms.data.alarmEvents.filter((a) => sensorMeters.has(a.subject))}
                rowKey={(a) => a.id}
                empty={t('room.noAlarms')}
                columns={[
                  {
                    key: 'sensor',
                    header: t('topology.node'),
                    render: (a) => sensorMeters.get(a.subject)?.label ?? a.subject,
                  },
                  {
                    key: 'sev',
                    header: t('topology.alarm'),
                    render: (a) => {
                      const lv = alarmLevel({ alarm: a.severity, value: null, meterId: null });
                      return `${ALARM_STYLE[lv].icon} ${labels.level[lv]}`;
                    },
                  },
                  { key: 'msg', header: t('room.message'), render: (a) => a.message },
                  { key: 'at', header: t('topology.time'), render: (a) => f.dateTime(a.raisedAt) },
                ]}
              />
            )}
          </Panel>
        ) : null}
      </div>
    </>
  );
}
