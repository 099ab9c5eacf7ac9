import { Decimal } from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

function toDecimal(value: unknown): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim()))
    return new Decimal(value.trim());
  // Integers are exact; binary fractions are refused so no float ever becomes a stored figure.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return new Decimal(value);
  throw new GraphQLError('Decimal must be a decimal string such as "12.345"', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** Exact decimal, a string on the wire, `Decimal` (decimal.js) in TypeScript, `numeric` in SQL. */
export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description: 'Exact decimal number serialised as a string, e.g. "1234.5678".',
  serialize: (value) => toDecimal(value).toString(),
  parseValue: (value) => toDecimal(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) {
      if (ast.kind === Kind.FLOAT) return toDecimal(ast.value);
      return toDecimal(ast.value);
    }
    throw new GraphQLError('Decimal literal must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

/** RFC 3339 date-time (graphql-scalars), `Date` in TypeScript. */
export const DateTimeScalar = DateTimeResolver;
export { Decimal };
