import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { type Loaded, load, nodes } from '@/lib/graphql/load';
import {
  ENTERPRISES,
  type EnterpriseRow,
  INDEXER_HEALTH,
  type IndexerHealth,
  API_KEYS,
  type ApiKeyRow,
  USERS,
  type UserRow,
} from '@/lib/graphql/operations';
import { ADMIN_DEVICES, type AdminDeviceRow } from '@/lib/graphql/operations-views';
import { getI18n } from '@/lib/i18n/server';
import type { Formatters, Translate } from '@/i18n';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('admin.title') };
}

/** Platform admin: users, devices and indexer health (operations only, no tenant data). */
export default async function AdminPage() {
  const { t, f } = await getI18n();
  const [tenants, users, health] = await Promise.all([
    load<{ enterprises: { edges: { node: EnterpriseRow }[] } }>('enterprises', ENTERPRISES, {}),
    load<{ users: UserRow[] }>('users', USERS),
    load<{ indexerHealth: IndexerHealth }>('indexerHealth', INDEXER_HEALTH),
  ]);
  // Devices and API keys are per enterprise in the API: one query per tenant (first 50).
  const tenantIds = tenants.ok
    ? nodes(tenants.data.enterprises)
        .slice(0, 50)
        .map((e) => e.id)
    : [];
  const nameOf = new Map(tenants.ok ? nodes(tenants.data.enterprises).map((e) => [e.id, e.name]) : []);
  const [deviceLists, keyLists] = await Promise.all([
    Promise.all(
      tenantIds.map((id) =>
        load<{ devices: AdminDeviceRow[] }>('devices', ADMIN_DEVICES, { enterpriseId: id }),
      ),
    ),
    Promise.all(
      tenantIds.map(async (id) => ({
        id,
        r: await load<{ apiKeys: ApiKeyRow[] }>('apiKeys', API_KEYS, { enterpriseId: id }),
      })),
    ),
  ]);
  const deviceFail = deviceLists.find((r) => !r.ok);
  const devices: Loaded<AdminDeviceRow[]> =
    deviceFail && !deviceFail.ok
      ? deviceFail
      : { ok: true, data: deviceLists.flatMap((r) => (r.ok ? r.data.devices : [])) };
  const keyFail = keyLists.find((x) => !x.r.ok);
  const apiKeys: Loaded<(ApiKeyRow & { enterpriseId: string })[]> =
    keyFail && !keyFail.r.ok
      ? keyFail.r
      : {
          ok: true,
          data: keyLists.flatMap((x) =>
            x.r.ok ? x.r.data.apiKeys.map((k) => ({ ...k, enterpriseId: x.id })) : [],
          ),
        };
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <div className="grid">
        <Panel id="tenants" title={t('admin.tenants')} wide>
          {!tenants.ok ? (
            <LoadState result={tenants} t={t} />
          ) : (
            <DataTable<EnterpriseRow>
              caption={t('admin.tenants')}
              rows={nodes(tenants.data.enterprises)}
              rowKey={(e) => e.id}
              empty={t('state.empty')}
              columns={[
                { key: 'name', header: t('energy.enterprise'), render: (e) => e.name },
                { key: 'industry', header: t('park.industry'), render: (e) => e.industry || '—' },
                { key: 'park', header: t('admin.park'), render: (e) => e.park?.name ?? '—' },
                {
                  key: 'code',
                  header: t('park.code'),
                  render: (e) => <span className="mono">{e.creditCode ?? '—'}</span>,
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="users" title={t('admin.users')} wide>
          {!users.ok ? (
            <LoadState result={users} t={t} />
          ) : (
            <DataTable<UserRow>
              caption={t('admin.users')}
              rows={users.data.users}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'email', header: t('admin.email'), render: (r) => r.email },
                { key: 'name', header: t('table.name'), render: (r) => r.displayName },
                { key: 'created', header: t('table.created'), render: (r) => f.dateTime(r.createdAt) },
                {
                  key: 'status',
                  header: t('table.status'),
                  render: (r) => (r.disabledAt ? `✕ ${f.dateTime(r.disabledAt)}` : '✓'),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="admin-devices" title={t('admin.devices')} wide>
          {!devices.ok ? (
            <LoadState result={devices} t={t} />
          ) : (
            <DataTable<AdminDeviceRow>
              caption={t('admin.devices')}
              rows={devices.data}
              rowKey={(d) => d.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'ent',
                  header: t('energy.enterprise'),
                  render: (d) => nameOf.get(d.enterpriseId) ?? '—',
                },
                { key: 'name', header: t('table.name'), render: (d) => d.name },
                {
                  key: 'addr',
                  header: t('admin.keyFingerprint'),
                  render: (d) => (
                    <span className="mono" title={d.address}>
                      {keyFingerprint(d.address)}
                    </span>
                  ),
                },
                {
                  key: 'status',
                  header: t('table.status'),
                  render: (d) =>
                    d.revokedAt
                      ? `✕ ${t('data.device.revoked')} ${f.dateTime(d.revokedAt)}`
                      : `✓ ${t('data.device.active')}`,
                },
                {
                  key: 'seen',
                  header: t('admin.lastSeen'),
                  render: (d) => (d.lastSeenAt ? f.dateTime(d.lastSeenAt) : t('admin.neverSeen')),
                },
                { key: 'created', header: t('table.created'), render: (d) => f.dateTime(d.createdAt) },
              ]}
            />
          )}
        </Panel>
        <Panel id="admin-keys" title={t('admin.apiKeys')}>
          {!apiKeys.ok ? (
            <LoadState result={apiKeys} t={t} />
          ) : (
            <DataTable
              caption={t('admin.apiKeys')}
              rows={apiKeys.data}
              rowKey={(k) => k.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'ent',
                  header: t('energy.enterprise'),
                  render: (k) => nameOf.get(k.enterpriseId) ?? '—',
                },
                { key: 'name', header: t('table.name'), render: (k) => k.name },
                {
                  key: 'prefix',
                  header: t('admin.keyPrefix'),
                  render: (k) => <span className="mono">{k.prefix}</span>,
                },
                { key: 'used', header: t('admin.lastUsed'), render: (k) => f.dateTime(k.lastUsedAt) },
                {
                  key: 'status',
                  header: t('table.status'),
                  render: (k) =>
                    k.revokedAt ? `✕ ${t('data.device.revoked')}` : `✓ ${t('data.device.active')}`,
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="indexer" title={t('admin.health')}>
          {!health.ok ? (
            <LoadState result={health} t={t} />
          ) : (
            <IndexerHealthStats h={health.data.indexerHealth} t={t} f={f} />
          )}
        </Panel>
      </div>
    </>
  );
}

/** The device key's fingerprint: its address (last 20 bytes of keccak of the public key) in groups of four. */
function keyFingerprint(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, '');
  return `0x ${hex.replace(/(.{4})/g, '$1 ').trim()}`;
}

/** Indexer lag and health (chain.indexer_status via the API; refreshed on each page load). */
function IndexerHealthStats({ h, t, f }: { h: IndexerHealth; t: Translate; f: Formatters }) {
  if (!h.running) {
    return (
      <p className="state" role="status">
        {t('admin.notRunning')}
      </p>
    );
  }
  const stats: [string, string][] = [
    [t('admin.chain'), h.chainId === null ? '—' : String(h.chainId)],
    [t('admin.phase'), h.phase],
    [t('admin.head'), f.number(h.headBlock, 0)],
    [t('admin.lastBlock'), f.number(h.checkpointBlock, 0)],
    [t('admin.lag'), h.lagBlocks === null ? '—' : t('admin.blocks', { n: f.number(h.lagBlocks, 0) })],
    [t('admin.lagTime'), h.lagSeconds === null ? '—' : t('admin.seconds', { n: f.number(h.lagSeconds, 1) })],
    [t('admin.eventsPerSecond'), f.number(h.eventsPerSecond, 1)],
    [t('admin.eventsTotal'), f.number(h.eventsTotal, 0)],
    [t('admin.reorgs'), f.number(h.reorgsTotal, 0)],
    [t('admin.finality'), t('admin.blocks', { n: f.number(h.finalityDepth, 0) })],
  ];
  return (
    <>
      <dl className="stats">
        {stats.map(([label, value]) => (
          <div className="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className={h.lastError ? 'alert' : 'hint'} role={h.lastError ? 'alert' : undefined}>
        {t('admin.lastError')}:{' '}
        {h.lastError ? `${h.lastError} (${f.dateTime(h.lastErrorAt)})` : t('admin.noError')}
      </p>
      <p className="hint">
        {t('admin.updated')}: {f.dateTime(h.updatedAt)}
      </p>
    </>
  );
}
