'use client';

import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatters, type Locale, translator } from '@/i18n';
import { isConnected, liveClient } from '@/lib/live/ws-client';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** [ISO timestamp, decimal string] */
export type Point = [string, string];

/** Where points sit in a GraphQL answer: `path` to an object or a list, and its field names. */
export interface PointsAt {
  path: string;
  tsField: string;
  valueField: string;
}

/**
 * How the chart stays live. Every event of `query` (a subscription) either carries points itself
 * (`points`), or is only a signal that data changed, after which `refetch` (a query, run over the
 * same WebSocket) reloads the series.
 */
export interface LiveSubscription {
  query: string;
  variables?: Record<string, unknown>;
  points?: PointsAt;
  refetch?: { query: string; variables?: Record<string, unknown>; points: PointsAt };
}

export interface LiveLineChartProps {
  /** Accessible name of the chart (also its heading's text). */
  label: string;
  unit: string;
  locale: Locale;
  timeZone: string;
  wsUrl: string;
  initial: Point[];
  subscription?: LiveSubscription;
  /** Keep at most this many points (oldest drop off). */
  maxPoints?: number;
  dark?: boolean;
  className?: string;
  /** x-axis labels: time of day (load curves) or month (monthly series). */
  xAxis?: 'clock' | 'month';
}

function pick(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const key of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function extractPoints(data: unknown, at: PointsAt): Point[] {
  const found = pick(data, at.path);
  const list = Array.isArray(found) ? found : found == null ? [] : [found];
  const out: Point[] = [];
  for (const e of list) {
    const ts = pick(e, at.tsField);
    const value = pick(e, at.valueField);
    if (typeof ts === 'string' && (typeof value === 'string' || typeof value === 'number'))
      out.push([ts, String(value)]);
  }
  return out;
}

type LiveState = 'connecting' | 'live' | 'offline' | 'static';

/**
 * Line chart (ECharts, canvas) that appends points pushed by a GraphQL subscription. Figures stay
 * decimal strings until ECharts needs a number to draw; the accessible label and the status line
 * carry the latest value as text, so the chart is not the only way to read it.
 */
export function LiveLineChart(props: LiveLineChartProps) {
  const {
    label,
    unit,
    locale,
    timeZone,
    wsUrl,
    initial,
    subscription,
    maxPoints = 400,
    dark = false,
    xAxis = 'clock',
  } = props;
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [points, setPoints] = useState<Point[]>(initial);
  const [state, setState] = useState<LiveState>(subscription ? 'connecting' : 'static');
  const [updates, setUpdates] = useState(0);
  const t = useMemo(() => translator(locale), [locale]);
  const f = useMemo(() => formatters(locale, timeZone), [locale, timeZone]);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setOption({
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => f.quantity(typeof v === 'number' ? v : null, unit),
      },
      xAxis: {
        type: 'time',
        axisLabel: {
          formatter: (v: number) =>
            xAxis === 'month'
              ? new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' }).format(new Date(v))
              : f.clock(new Date(v)),
        },
      },
      yAxis: { type: 'value', name: unit },
      series: [
        {
          name: label,
          type: 'line',
          showSymbol: false,
          lineStyle: { width: 2 },
          areaStyle: { opacity: 0.12 },
          data: points.map(([ts, v]) => [new Date(ts).getTime(), Number(v)]),
        },
      ],
    });
  }, [points, unit, label, f, xAxis, locale]);

  useEffect(() => {
    if (!subscription) return;
    const client = liveClient(wsUrl);
    let alive = true;
    const offConnected = client.on('connected', () => alive && setState('live'));
    const offClosed = client.on('closed', () => alive && setState('offline'));
    const merge = (fresh: Point[], replace: boolean) => {
      if (!alive) return;
      setState('live');
      setUpdates((n) => n + 1);
      setPoints((prev) => {
        const merged = new Map((replace ? [] : prev).map((p) => [p[0], p] as const));
        for (const p of fresh) merged.set(p[0], p);
        return [...merged.values()].sort((a, b) => a[0].localeCompare(b[0])).slice(-maxPoints);
      });
    };
    const refetch = async () => {
      const r = subscription.refetch;
      if (!r) return;
      const it = client.iterate<Record<string, unknown>>({ query: r.query, variables: r.variables ?? {} });
      for await (const msg of it) merge(extractPoints(msg.data, r.points), true);
    };
    const dispose = client.subscribe<Record<string, unknown>>(
      { query: subscription.query, variables: subscription.variables ?? {} },
      {
        next: (msg) => {
          if (subscription.points) {
            const fresh = extractPoints(msg.data, subscription.points);
            if (fresh.length > 0) merge(fresh, false);
          } else {
            refetch().catch(() => alive && setState('offline'));
          }
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
  }, [subscription, wsUrl, maxPoints]);

  const last = points.at(-1);
  const status =
    state === 'static'
      ? ''
      : state === 'live'
        ? t('state.live')
        : state === 'connecting'
          ? t('state.connecting')
          : t('state.offline');
  const summary = last
    ? `${f.quantity(last[1], unit)} · ${t('state.lastUpdate', { time: f.time(last[0]) })}`
    : t('state.empty');
  return (
    <figure
      className={props.className ?? ''}
      style={{ margin: 0, display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}
    >
      <figcaption className="live-indicator" data-state={state} aria-live="polite">
        {status ? `${status} · ` : ''}
        {summary}
      </figcaption>
      <div
        ref={el}
        className="chart"
        role="img"
        aria-label={`${label}: ${summary}`}
        data-testid="live-chart"
        data-points={points.length}
        data-updates={updates}
        data-live={state}
      />
    </figure>
  );
}
