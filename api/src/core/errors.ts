import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Every `extensions.code` the API emits. Clients switch on these, never on messages. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'REFRESH_TOKEN_REUSED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** field path (relative to the argument) → messages, e.g. `{ 'name': ['name must be …'], 'grant.scopeId': [...] }`. */
export type FieldErrors = Record<string, string[]>;

/** Base of all expected API errors; `formatError` passes these through and hides everything else. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(
    message = 'Authentication required',
    code: 'UNAUTHENTICATED' | 'REFRESH_TOKEN_REUSED' = 'UNAUTHENTICATED',
  ) {
    super(code, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed') {
    super('FORBIDDEN', message);
  }
}
export class NotFoundError extends AppError {
  constructor(entity: string, id?: string) {
    super('NOT_FOUND', id ? `${entity} ${id} not found` : `${entity} not found`, { entity });
  }
}
export class ConflictError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('CONFLICT', message, extra);
  }
}
export class UserInputError extends AppError {
  constructor(message: string, fieldErrors: FieldErrors = {}) {
    super('BAD_USER_INPUT', message, { fieldErrors });
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Rate limit exceeded, retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
  }
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function collectFieldErrors(errors: ValidationErrorLike[], prefix: string, out: FieldErrors): void {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) collectFieldErrors(e.children, path, out);
  }
}

const PASS_THROUGH = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The single error formatter (HTTP and WebSocket). Known codes pass; class-validator failures
 * become BAD_USER_INPUT with `fieldErrors`; anything else is logged by the caller and hidden.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const validationErrors = validationErrorsOf(original);
  if (validationErrors) {
    const fieldErrors: FieldErrors = {};
    collectFieldErrors(validationErrors, '', fieldErrors);
    return {
      message: 'Invalid input',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'BAD_USER_INPUT', fieldErrors },
    };
  }
  // Postgres invalid_text_representation (e.g. a malformed UUID reaching SQL) is bad input, not a fault.
  const pgCode = (original as { code?: unknown; driverError?: { code?: unknown } } | null) ?? {};
  if ((pgCode.driverError?.code ?? pgCode.code) === '22P02')
    return { message: 'Invalid input syntax', path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
  // Apollo rewraps validation-rule errors (QUERY_TOO_DEEP…) as GRAPHQL_VALIDATION_FAILED; keep ours.
  const originalCode = original instanceof GraphQLError ? original.extensions?.code : undefined;
  if (
    original instanceof AppError ||
    (typeof originalCode === 'string' && (ERROR_CODES as readonly string[]).includes(originalCode))
  ) {
    const o = original as GraphQLError;
    return {
      message: o.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: o.extensions,
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASS_THROUGH.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
    return {
      message: formatted.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code },
    };
  }
  if (
    !(error instanceof GraphQLError) ||
    (error.originalError && !(error.originalError instanceof GraphQLError))
  ) {
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  // GraphQL execution errors without a code (e.g. variable coercion) are user input problems.
  return {
    message: formatted.message,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'BAD_USER_INPUT' },
  };
}

/** True when `formatError` would hide this error: the caller logs it with the request id. */
export function isInternal(error: unknown): boolean {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (original instanceof GraphQLError) return false;
  return !validationErrorsOf(original);
}

/** TypeGraphQL's ArgumentValidationError carries class-validator errors in `extensions.validationErrors`. */
function validationErrorsOf(error: unknown): ValidationErrorLike[] | undefined {
  const v = (error as { extensions?: { validationErrors?: unknown } } | null)?.extensions?.validationErrors;
  return Array.isArray(v) ? (v as ValidationErrorLike[]) : undefined;
}
