'use client';

import { type ReactNode, useActionState, useId } from 'react';
import type { ActionResult } from '@/lib/actions/result';

/**
 * A form posting to a server action (works without JavaScript too), with a live status line:
 * success text, or the error code and the API's message. The page's data is revalidated by the
 * action itself.
 */
export function ActionForm({
  action,
  submit,
  okText,
  errorText,
  testId,
  children,
}: {
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  submit: string;
  okText: string;
  /** Prefix for failures, e.g. "Not saved". */
  errorText: string;
  testId: string;
  children: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, { status: 'idle' } as ActionResult);
  const id = useId();
  return (
    <form action={formAction} className="form" data-testid={testId} aria-describedby={`${id}-status`}>
      {children}
      <button type="submit" disabled={pending}>
        {submit}
      </button>
      <p
        id={`${id}-status`}
        role="status"
        aria-live="polite"
        data-status={state.status}
        className={state.status === 'ok' ? 'success' : state.status === 'idle' ? 'hint' : 'state error'}
      >
        {state.status === 'ok'
          ? `✓ ${okText}${state.ref ? ` (${state.ref})` : ''}`
          : state.status === 'idle'
            ? ''
            : `✗ ${errorText}: ${state.code ?? ''}${state.message ? ` — ${state.message}` : ''}`}
      </p>
    </form>
  );
}
