'use client';

import { useActionState } from 'react';
import { type LoginState, loginAction } from '@/lib/actions/session';

interface Labels {
  email: string;
  password: string;
  submit: string;
  submitting: string;
  invalid: string;
  rateLimited: string;
  unreachable: string;
  notAvailable: string;
  generic: string;
}

export function LoginForm({ next, labels }: { next: string; labels: Labels }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, { error: null });
  const message =
    state.error === null
      ? null
      : state.error === 'generic'
        ? labels.generic.replace('{code}', state.code ?? '')
        : labels[state.error];
  const invalid = state.error === 'invalid';
  return (
    <form action={action} noValidate data-testid="login-form">
      {message ? (
        <p className="alert" role="alert" id="login-error">
          {message}
        </p>
      ) : null}
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="email">{labels.email}</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email ?? ''}
          aria-invalid={invalid || undefined}
          aria-describedby={message ? 'login-error' : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="password">{labels.password}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={invalid || undefined}
        />
      </div>
      <button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? labels.submitting : labels.submit}
      </button>
    </form>
  );
}
