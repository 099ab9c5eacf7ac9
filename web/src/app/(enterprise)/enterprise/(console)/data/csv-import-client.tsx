'use client';

import { useActionState, useId } from 'react';
import { ImportErrorsTable } from './import-errors-table';
import { type ImportState, importCsvAction } from './entry-actions';

export interface CsvImportLabels {
  kind: string;
  readings: string;
  production: string;
  file: string;
  text: string;
  submit: string;
  result: string;
  errors: string;
  row: string;
  column: string;
  code: string;
  message: string;
  failed: string;
  formatReadings: string;
  formatProduction: string;
}

/** CSV import (file or pasted text) with the API's row errors shown as a table. */
export function CsvImportForm({ enterpriseId, labels }: { enterpriseId: string; labels: CsvImportLabels }) {
  const [state, action, pending] = useActionState(importCsvAction, { status: 'idle' } as ImportState);
  const id = useId();
  return (
    <form action={action} className="form" data-testid="csv-import-form">
      <input type="hidden" name="enterpriseId" value={enterpriseId} />
      <div className="field">
        <label htmlFor={`${id}-kind`}>{labels.kind}</label>
        <select id={`${id}-kind`} name="kind">
          <option value="readings">{labels.readings}</option>
          <option value="production">{labels.production}</option>
        </select>
        <p className="hint mono">{labels.formatReadings}</p>
        <p className="hint mono">{labels.formatProduction}</p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-file`}>{labels.file}</label>
        <input id={`${id}-file`} name="file" type="file" accept=".csv,text/csv" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>{labels.text}</label>
        <textarea id={`${id}-text`} name="csv" spellCheck={false} />
      </div>
      <button type="submit" disabled={pending}>
        {labels.submit}
      </button>
      <div role="status" aria-live="polite" data-import-status={state.status}>
        {state.status === 'ok' ? (
          <p className={state.errors && state.errors.length > 0 ? 'notice' : 'success'}>
            {state.kind === 'production'
              ? `${labels.result}: ${state.inserted ?? 0}`
              : `${labels.result}: ${state.accepted ?? 0} / ${state.rows ?? 0} (${state.duplicates ?? 0} dup.)`}
          </p>
        ) : state.status === 'invalid' || state.status === 'error' ? (
          <p className="alert">{`✗ ${labels.failed}: ${state.code ?? ''}${state.message ? ` — ${state.message}` : ''}`}</p>
        ) : null}
      </div>
      <ImportErrorsTable errors={state.errors} labels={labels} testId="csv-errors" />
    </form>
  );
}
