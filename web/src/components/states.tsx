import type { Translate } from '@/i18n';
import type { Loaded } from '@/lib/graphql/load';

export function EmptyState({ message }: { message: string }) {
  return (
    <p className="state" role="status">
      {message}
    </p>
  );
}

/** Renders the non-data outcome of a panel's query. */
export function LoadState({ result, t }: { result: Exclude<Loaded<unknown>, { ok: true }>; t: Translate }) {
  if (result.kind === 'notAvailable') {
    return (
      <div className="state unavailable" role="status" data-testid="not-available">
        <strong>{t('state.notAvailable.title')}</strong>
        {t('state.notAvailable.body', { operation: result.operation })}
      </div>
    );
  }
  if (result.kind === 'forbidden') {
    return (
      <div className="state" role="status">
        <strong>{t('state.forbidden.title')}</strong>
        {t('state.forbidden.body')}
      </div>
    );
  }
  return (
    <div className="state error" role="alert">
      <strong>{t('state.error.title')}</strong>
      {t('state.error.body', { code: result.code })}
    </div>
  );
}
