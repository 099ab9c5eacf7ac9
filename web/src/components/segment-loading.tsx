import { getI18n } from '@/lib/i18n/server';

/** Body of every segment's loading.tsx. */
export async function SegmentLoading() {
  const { t } = await getI18n();
  return (
    <p className="state" role="status" aria-live="polite" data-testid="segment-loading">
      {t('state.loading')}
    </p>
  );
}
