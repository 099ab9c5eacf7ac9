'use client';

import { useEffect } from 'react';
import { isLocale, translator } from '@/i18n';

/** Body of every segment's error.tsx: a clear message and a retry, in the page's language. */
export function SegmentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const lang = typeof document === 'undefined' ? 'zh-CN' : document.documentElement.lang;
  const t = translator(isLocale(lang) ? lang : 'zh-CN');
  return (
    <div className="state error" role="alert">
      <strong>{t('state.error.title')}</strong>
      <p>{t('state.error.body', { code: error.digest ?? error.name })}</p>
      <button type="button" onClick={reset}>
        {t('state.retry')}
      </button>
    </div>
  );
}
