import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'src/cli/generated/',
      'var/',
      'coverage/',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Resolver arguments are DTO classes with class-validator rules (each feature's dto/), which
    // the global ArgumentValidationPipe applies: a named scalar argument would skip them.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Decorator > CallExpression[callee.name='Args'][arguments.length>0]",
          message: 'take resolver arguments as a DTO class: @Args() { name }: SomethingArgs',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // GraphQL answers in tests are checked by assertions, not by types
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.ts'], ...prettier },
  // The committed schema is the API's contract: every type, field, argument and enum value says
  // what it is, things have ids, and names follow GraphQL's conventions.
  {
    files: ['schema.gql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.gql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      // things have ids; the types below are values inside a thing, pages, or mutation results
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            suffixes: ['Connection', 'Edge'],
            types: [
              'PageInfo',
              'JobError',
              'RepositoryError',
              'JobProgress',
              'SnapshotStatistics',
              'SnapshotDiff',
              'SnapshotDiffTotals',
              'RepositoryStats',
              'Download',
              'ConfigReload',
              'ConfigIssue',
              'NameChanges',
              'TestNotificationResult',
              'PathVersion',
              'SnapshotIndexStatus',
              'SnapshotIndexRepository',
              'SnapshotIndexInfo',
            ],
          },
        },
      ],
      // Snapshot.snapshotId is restic's own id, as restic users know it, beside the global id
      '@graphql-eslint/no-typename-prefix': 'off',
    },
  },
);
