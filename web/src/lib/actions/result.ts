import { GraphQLRequestError } from '@/lib/graphql/client';

/** Outcome of a form's server action, as the ActionForm shows it (never a stack trace). */
export interface ActionResult {
  status: 'idle' | 'ok' | 'invalid' | 'error';
  /** Error code (BAD_USER_INPUT, FORBIDDEN, CONFLICT, …) or the local validation rule. */
  code?: string;
  /** The API's message (typed errors carry a readable one) or a short detail. */
  message?: string;
  /** On success: an id or reference to show. */
  ref?: string;
}

export const IDLE: ActionResult = { status: 'idle' };

/** Turns a thrown API error into a result; redirects (session expiry) and real bugs propagate. */
export function failed(err: unknown): ActionResult {
  if (err instanceof GraphQLRequestError) {
    const ext = err.errors[0]?.extensions as { reason?: string } | undefined;
    return {
      status: err.code === 'BAD_USER_INPUT' ? 'invalid' : 'error',
      code: ext?.reason ?? err.code,
      message: err.message,
    };
  }
  throw err;
}

export const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
