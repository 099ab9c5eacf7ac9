'use client';
import { HaloText } from './halo-text';

import { useEffect, useState } from 'react';
import { formatters, type Locale } from '@/i18n';
import type { DiagramNodeView, DiagramView } from '@/lib/graphql/operations-views';
import { isConnected, liveClient } from '@/lib/live/ws-client';
import { ALARM_STYLE, alarmLevel, sensorReading, viewBoxOf } from '@/lib/views/topology';

export interface TopologyLabels {
  title: string;
  live: string;
  connecting: string;
  offline: string;
  noData: string;
  level: Record<'critical' | 'warning' | 'info' | 'ok' | 'nodata', string>;
  /** room.state.* words of status sensors, by key */
  states: Record<string, string>;
  node: string;
  value: string;
  alarm: string;
  time: string;
}

const METERING_UPDATED = `subscription PortalTopologyUpdated { meteringUpdated { enterpriseId meterIds } }`;

/**
 * A topology diagram drawn as SVG from the stored node positions, with each bound node's latest
 * value and its alarm state as fill colour plus an icon and a word. Live: every metering update of
 * a bound meter re-queries the diagram over the same WebSocket. A table repeats the figures for
 * screen readers and phones.
 */
export function TopologyDiagramLive({
  initial,
  enterpriseId,
  query,
  wsUrl,
  locale,
  timeZone,
  labels,
}: {
  initial: DiagramView;
  enterpriseId: string;
  query: string;
  wsUrl: string;
  locale: Locale;
  timeZone: string;
  labels: TopologyLabels;
}) {
  const [diagram, setDiagram] = useState(initial);
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [updates, setUpdates] = useState(0);
  const f = formatters(locale, timeZone);

  useEffect(() => {
    const client = liveClient(wsUrl);
    let alive = true;
    const bound = new Set(initial.nodes.map((n) => n.meterId).filter(Boolean));
    const offConnected = client.on('connected', () => alive && setState('live'));
    const offClosed = client.on('closed', () => alive && setState('offline'));
    const refetch = async () => {
      const it = client.iterate<{ topologyDiagram: DiagramView }>({
        query,
        variables: { enterpriseId, id: initial.id },
      });
      for await (const msg of it) {
        if (alive && msg.data?.topologyDiagram) {
          setDiagram(msg.data.topologyDiagram);
          setUpdates((n) => n + 1);
        }
      }
    };
    const dispose = client.subscribe<{ meteringUpdated: { enterpriseId: string; meterIds: string[] } }>(
      { query: METERING_UPDATED },
      {
        next: (msg) => {
          const u = msg.data?.meteringUpdated;
          if (!u || u.enterpriseId !== enterpriseId) return;
          if (!u.meterIds.some((m) => bound.has(m))) return;
          refetch().catch(() => alive && setState('offline'));
        },
        error: () => alive && setState('offline'),
        complete: () => alive && setState('offline'),
      },
    );
    if (isConnected()) setState('live');
    return () => {
      alive = false;
      dispose();
      offConnected();
      offClosed();
    };
  }, [wsUrl, query, enterpriseId, initial]);

  const box = viewBoxOf(diagram.nodes);
  const at = new Map(diagram.nodes.map((n) => [n.key, n]));
  const valueText = (n: DiagramNodeView) => {
    if (n.value === null) return n.meterId ? labels.noData : '';
    const s = sensorReading(n.kind, n.value);
    if (s?.type === 'state') return labels.states[s.key] ?? n.value;
    if (s?.type === 'analog') return f.quantity(n.value, s.unit, 1);
    return f.quantity(n.value, n.unit ?? '', 2);
  };
  const status = state === 'live' ? labels.live : state === 'connecting' ? labels.connecting : labels.offline;

  return (
    <div data-testid="topology-diagram" data-live={state} data-updates={updates} data-diagram={diagram.id}>
      <p className="live-indicator" data-state={state} role="status">
        {status}
      </p>
      <svg
        className="topology"
        viewBox={`${box.minX} ${box.minY} ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`topo-${diagram.id}-title`}
        style={{ width: '100%', maxHeight: '70vh', background: '#fff', border: '1px solid #d6dcd8' }}
      >
        <title id={`topo-${diagram.id}-title`}>{`${labels.title}: ${diagram.name}`}</title>
        {diagram.links.map((e) => {
          const a = at.get(e.from);
          const b = at.get(e.to);
          if (!a || !b) return null;
          return (
            <line
              key={`${e.from}-${e.to}`}
              x1={Number(a.x)}
              y1={Number(a.y)}
              x2={Number(b.x)}
              y2={Number(b.y)}
              stroke="#4b5750"
              strokeWidth={3}
            />
          );
        })}
        {diagram.nodes.map((n) => {
          const level = alarmLevel(n);
          const style = ALARM_STYLE[level];
          const x = Number(n.x);
          const y = Number(n.y);
          const shape =
            n.kind === 'bus' ? (
              <rect x={x - 300} y={y - 6} width={600} height={12} fill={style.fill} />
            ) : n.kind === 'incomer' || n.kind === 'source' ? (
              <rect x={x - 26} y={y - 26} width={52} height={52} rx={6} fill={style.fill} />
            ) : (
              <circle cx={x} cy={y} r={24} fill={style.fill} />
            );
          return (
            <g key={n.key} data-testid={`topo-node-${n.key}`} data-level={level} data-value={n.value ?? ''}>
              <title>{`${n.label}: ${valueText(n) || '—'} · ${labels.level[level]}`}</title>
              {shape}
              {n.kind === 'bus' ? null : (
                <text x={x} y={y + 7} textAnchor="middle" fontSize={22} fontWeight={700} fill="#fff">
                  {style.icon}
                </text>
              )}
              <HaloText x={x} y={y + 48} fontSize={15}>
                {n.label}
              </HaloText>
              <HaloText x={x} y={y + 68} fontSize={15} fontWeight={600}>
                {valueText(n)}
              </HaloText>
            </g>
          );
        })}
      </svg>
      <ul
        className="legend"
        aria-label={labels.alarm}
        style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap', listStyle: 'none', padding: 0 }}
      >
        {(Object.keys(ALARM_STYLE) as (keyof typeof ALARM_STYLE)[]).map((lv) => (
          <li key={lv}>
            <span
              aria-hidden="true"
              style={{
                display: 'inline-block',
                width: '1.3em',
                textAlign: 'center',
                color: '#fff',
                background: ALARM_STYLE[lv].fill,
                borderRadius: 4,
                marginRight: 4,
              }}
            >
              {ALARM_STYLE[lv].icon}
            </span>
            {labels.level[lv]}
          </li>
        ))}
      </ul>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard reachable */}
      <section className="table-wrap" tabIndex={0} aria-label={`${labels.title}: ${diagram.name}`}>
        <table data-testid="topology-table">
          <caption className="visually-hidden">{`${labels.title}: ${diagram.name}`}</caption>
          <thead>
            <tr>
              <th scope="col">{labels.node}</th>
              <th scope="col" className="num">
                {labels.value}
              </th>
              <th scope="col">{labels.alarm}</th>
              <th scope="col">{labels.time}</th>
            </tr>
          </thead>
          <tbody>
            {diagram.nodes
              .filter((n) => n.meterId)
              .map((n) => {
                const level = alarmLevel(n);
                return (
                  <tr key={n.key} data-testid={`topo-row-${n.key}`}>
                    <td>{n.label}</td>
                    <td className="num">{valueText(n)}</td>
                    <td
                      data-level={level}
                    >{`${ALARM_STYLE[level].icon} ${labels.level[level]}${n.openAlarms > 1 ? ` ×${n.openAlarms}` : ''}`}</td>
                    <td>{f.dateTime(n.ts)}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      </section>
    </div>
  );
}
