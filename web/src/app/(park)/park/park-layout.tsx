import { HaloText } from '@/components/halo-text';
import type { Formatters, Translate } from '@/i18n';
import type { MessageKey } from '@/i18n/en';

/** The park layout with each member's live status (api: parkLayout). */
export const PARK_LAYOUT = `query PortalParkLayout($parkId: ID!, $year: Int) {
  parkLayout(parkId: $parkId, year: $year) {
    parkId width height
    members { enterpriseId name placed x y label outline { x y } sharing status quotaWarning openAlarms lastReadingAt }
  }
}`;

export type ParkLayoutStatus = 'NOT_SHARING' | 'QUOTA_WARNING' | 'ALARM' | 'STALE' | 'NO_DATA' | 'OK';
export interface ParkLayoutMemberRow {
  enterpriseId: string;
  name: string;
  placed: boolean;
  x: number | null;
  y: number | null;
  label: string | null;
  outline: { x: number; y: number }[] | null;
  sharing: boolean;
  status: ParkLayoutStatus;
  quotaWarning: boolean | null;
  openAlarms: number | null;
  lastReadingAt: string | null;
}
export interface ParkLayoutData {
  parkId: string;
  width: number;
  height: number;
  members: ParkLayoutMemberRow[];
}

/** Status → colour and icon (colour is never the only signal: the icon and the text say it too). */
export const LAYOUT_STATUS: Record<ParkLayoutStatus, { fill: string; icon: string }> = {
  QUOTA_WARNING: { fill: '#a4161a', icon: '‼' },
  ALARM: { fill: '#8a5300', icon: '!' },
  STALE: { fill: '#5b3f8c', icon: '◷' },
  NO_DATA: { fill: '#4b5750', icon: '?' },
  NOT_SHARING: { fill: '#6b7280', icon: '–' },
  OK: { fill: '#146c43', icon: '✓' },
};
const ORDER = Object.keys(LAYOUT_STATUS) as ParkLayoutStatus[];
const statusKey = (s: ParkLayoutStatus) => `park.layout.status.${s}` as MessageKey;

/** Text of one member for screen readers and the unplaced list. */
function describe(m: ParkLayoutMemberRow, t: Translate, f: Formatters): string {
  const parts = [`${m.name}: ${t(statusKey(m.status))}`];
  if (m.openAlarms !== null) parts.push(`${t('park.layout.openAlarms')} ${m.openAlarms}`);
  if (m.sharing)
    parts.push(`${t('park.layout.lastReading')} ${m.lastReadingAt ? f.dateTime(m.lastReadingAt) : '—'}`);
  return parts.join(' · ');
}

/**
 * SVG layout of the park: each member at its position (outline polygon when drawn), its status as a
 * coloured marker with an icon and a text line, keyboard-focusable with a label; a legend below.
 */
export function ParkLayoutView({ layout, t, f }: { layout: ParkLayoutData; t: Translate; f: Formatters }) {
  const placed = layout.members.filter((m) => m.placed && m.x !== null && m.y !== null);
  const unplaced = layout.members.filter((m) => !placed.includes(m));
  if (layout.members.length === 0) return <p className="hint">{t('park.layout.empty')}</p>;
  return (
    <div data-testid="park-layout">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG grouping its members, not a form fieldset */}
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-labelledby="park-layout-svg-title"
        style={{ width: '100%', maxHeight: '60vh', background: '#fff', border: '1px solid #d6dcd8' }}
      >
        <title id="park-layout-svg-title">{t('park.layout.title')}</title>
        {placed.map((m) => {
          const st = LAYOUT_STATUS[m.status];
          const x = Number(m.x);
          const y = Number(m.y);
          const label = describe(m, t, f);
          return (
            // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: a focusable, labelled picture of one member (status by colour, icon and text)
            <g
              key={m.enterpriseId}
              role="img"
              tabIndex={0}
              aria-label={label}
              data-testid={`layout-member-${m.enterpriseId}`}
              data-status={m.status}
            >
              <title>{label}</title>
              {m.outline && m.outline.length >= 3 ? (
                <polygon
                  points={m.outline.map((p) => `${p.x},${p.y}`).join(' ')}
                  fill={st.fill}
                  fillOpacity={0.12}
                  stroke={st.fill}
                  strokeWidth={3}
                  strokeDasharray={m.sharing ? undefined : '8 6'}
                />
              ) : null}
              <circle cx={x} cy={y} r={22} fill={st.fill} />
              <text x={x} y={y + 7} textAnchor="middle" fontSize={22} fontWeight={700} fill="#fff">
                {st.icon}
              </text>
              <HaloText x={x} y={y + 46} fontSize={17} fontWeight={600}>
                {m.label ?? m.name}
              </HaloText>
              <HaloText x={x} y={y + 66} fontSize={15} data-testid="layout-status-text">
                {`${st.icon} ${t(statusKey(m.status))}${m.openAlarms ? ` · ${m.openAlarms}` : ''}`}
              </HaloText>
            </g>
          );
        })}
      </svg>
      {unplaced.length ? (
        <>
          <h3 id="park-layout-unplaced">{t('park.layout.unplaced')}</h3>
          <ul aria-labelledby="park-layout-unplaced" data-testid="layout-unplaced">
            {unplaced.map((m) => (
              <li key={m.enterpriseId} data-testid={`layout-member-${m.enterpriseId}`} data-status={m.status}>
                <span aria-hidden="true" style={swatch(m.status)}>
                  {LAYOUT_STATUS[m.status].icon}
                </span>
                {describe(m, t, f)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ul
        className="legend"
        aria-label={t('park.layout.legend')}
        data-testid="layout-legend"
        style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap', listStyle: 'none', padding: 0 }}
      >
        {ORDER.map((s) => (
          <li key={s}>
            <span aria-hidden="true" style={swatch(s)}>
              {LAYOUT_STATUS[s].icon}
            </span>
            {t(statusKey(s))}
          </li>
        ))}
      </ul>
    </div>
  );
}

const swatch = (s: ParkLayoutStatus) => ({
  display: 'inline-block',
  width: '1.4em',
  textAlign: 'center' as const,
  color: '#fff',
  background: LAYOUT_STATUS[s].fill,
  borderRadius: 4,
  marginRight: 4,
});
