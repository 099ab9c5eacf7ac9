'use client';

import { useActionState, useId } from 'react';
import { ImportErrorsTable } from './import-errors-table';
import { importXlsxAction, type XlsxImportState } from './xlsx-actions';

export interface XlsxImportLabels {
  file: string;
  submit: string;
  result: string;
  errors: string;
  sheet: string;
  row: string;
  column: string;
  code: string;
  message: string;
  failed: string;
  format: string;
}

/** XLSX upload of meter readings with the API's row errors (sheet, row, column) as a table. */
export function XlsxImportForm({ enterpriseId, labels }: { enterpriseId: string; labels: XlsxImportLabels }) {
  const [state, action, pending] = useActionState(importXlsxAction, { status: 'idle' } as XlsxImportState);
  const id = useId();
  return (
    <form action={action} className="form" data-testid="xlsx-import-form">
      <input type="hidden" name="enterpriseId" value={enterpriseId} />
      <div className="field">
        <label htmlFor={`${id}-file`}>{labels.file}</label>
        <input
          id={`${id}-file`}
          name="file"
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          required
        />
        <p className="hint mono">{labels.format}</p>
      </div>
      <button type="submit" disabled={pending}>
        {labels.submit}
      </button>
      <div role="status" aria-live="polite" data-import-status={state.status}>
        {state.status === 'ok' ? (
          <p className={state.errors && state.errors.length > 0 ? 'notice' : 'success'}>
            {`${labels.result}: ${state.accepted ?? 0} / ${state.rows ?? 0} (${state.duplicates ?? 0} dup.)${state.sheet ? ` · ${state.sheet}` : ''}`}
          </p>
        ) : state.status === 'invalid' || state.status === 'error' ? (
          <p className="alert">{`✗ ${labels.failed}: ${state.code ?? ''}${state.message ? ` — ${state.message}` : ''}`}</p>
        ) : null}
      </div>
      <ImportErrorsTable errors={state.errors} labels={labels} testId="xlsx-errors" />
    </form>
  );
}
