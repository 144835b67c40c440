// graphql-codegen's client preset: typed documents for the manual's operations
// (src/operations.graphql, written by extract-operations.mjs) and persisted-documents.json, the
// SHA-256 of each document's normalised text mapped to that text, which the server's
// --trusted-documents can serve.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The schema as the repository commits it; KHARTOUM_ROOT names the repository from a copy.
  schema: `${process.env.KHARTOUM_ROOT ?? '../..'}/schema.graphql`,
  documents: ['src/operations.graphql'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        // Our scalars are JSON strings (docs/scalars.md): without a map they would be `unknown`.
        scalars: { Date: 'string', DateTime: 'string', PartialDate: 'string' },
        strictScalars: true,
        enumsAsTypes: true,
        // Node's ES modules need the `.js` extension on relative imports.
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
