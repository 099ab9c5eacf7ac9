import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed client for web/ from the committed SDL: `npm run codegen -w api`.
 * Documents: the shared ones here plus any `graphql(`…`)` calls in web/src.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: [
    'codegen/documents/**/*.graphql',
    '../web/src/**/*.{ts,tsx}',
    '!../web/src/lib/graphql/generated/**',
  ],
  ignoreNoDocuments: true,
  generates: {
    '../web/src/lib/graphql/generated/': {
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', Decimal: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};
export default config;
