// Rules that catch real bugs in async code matter more here than style (prettier handles that), and rules that keep
// the layers apart (docs/architecture.md, Layout): a wrong import fails CI instead of waiting for a review.
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/** Imports that mean I/O or process state: the pure core (shared/domain) takes none of them. */
const IO = [
  {
    group: ['**/db/**', '**/repositories/**', '**/use-cases/**'],
    message: 'shared/domain is pure: no database, repository or use case (move the I/O to a use case)',
  },
  {
    group: ['**/config', '**/config.ts', '**/log', '**/log.ts', '**/metrics', '**/metrics.ts'],
    message: 'shared/domain is pure: take settings as arguments, return results instead of logging',
  },
  {
    group: [
      'kysely',
      'pg',
      'ioredis',
      'bullmq',
      'nodemailer',
      'fastify',
      'node:net',
      'node:http',
      'node:https',
      'node:child_process',
    ],
    message: 'shared/domain is pure: no I/O libraries',
  },
  { group: ['**/services/**', '**/jobs/**'], message: 'shared/ imports neither services/ nor jobs/' },
];

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.local/',
      'out/',
      'bench/data/',
      'coverage/',
      'console/dist/',
      'console/src/services/api-schema.ts',
      'test-output/',
    ],
  },
  {
    files: ['**/*.ts', 'console/**/*.tsx'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Regular expressions run on what callers send: one that backtracks super-linearly stalls the event loop on a long
  // enough input, so the ReDoS rules are errors, with the plugin's recommended set beside them.
  {
    files: ['**/*.ts', 'console/**/*.tsx'],
    ...regexp.configs['flat/recommended'],
    rules: {
      ...regexp.configs['flat/recommended'].rules,
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // Groups also name the parts of a pattern for its reader, and the patterns that match control characters do so
      // on purpose (to refuse them).
      'regexp/no-unused-capturing-group': 'off',
      'no-control-regex': 'off',
    },
  },
  // The pure core: rules a reader can test without services.
  { files: ['shared/domain/**/*.ts'], rules: restrict(IO) },
  // Repositories hold SQL only: no use cases, no processes.
  {
    files: ['shared/repositories/**/*.ts'],
    rules: restrict([
      { group: ['**/use-cases/**'], message: 'repositories do not call use cases: the use case combines repositories' },
      { group: ['**/services/**', '**/jobs/**'], message: 'shared/ imports neither services/ nor jobs/' },
    ]),
  },
  // Everything in shared/ is imported by the processes and imports none of them.
  {
    files: ['shared/use-cases/**/*.ts', 'shared/db/**/*.ts', 'shared/*.ts'],
    rules: restrict([
      { group: ['**/services/**', '**/jobs/**'], message: 'shared/ imports neither services/ nor jobs/' },
    ]),
  },
  // Processes and jobs are wiring: they call use cases, which call the repositories (all the SQL). They import neither
  // a repository, nor the query builder or the driver, nor build a query on the Db they are handed.
  {
    files: ['services/**/*.ts', 'jobs/**/*.ts'],
    rules: {
      ...restrict([
        {
          group: ['kysely', 'pg'],
          allowTypeImports: true,
          message:
            'processes and jobs hold no SQL: call a use case (types such as Transaction may be imported with import type)',
        },
        {
          group: ['**/repositories/**'],
          message:
            'processes and jobs reach the database through use cases only (shared/use-cases): routes, commands and job handlers call a use case, which calls the repositories',
        },
      ]),
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|selectNoFrom|replaceInto|mergeInto)$/]',
          message:
            'processes and jobs hold no SQL: call a use case (shared/use-cases) instead of building a query here',
        },
      ],
    },
  },
);
