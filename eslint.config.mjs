// The layers (docs/architecture.md), enforced:
//   lambda/core      pure OAuth 2.1 + MCP rules: imports nothing outside lambda/core (no package,
//                    no AWS SDK, no adapter), and no environment, clock, randomness or I/O.
//   lambda/adapters  reach the world through the ports; never import a handler or local mode.
//   lambda/handlers  the Lambda entries: wiring only.
//   local/           the second host; nothing under lambda/ imports it.
// and no import cycle anywhere.
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const impure = [
  { group: ['@aws-sdk/*', 'aws-lambda', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'aws-jwt-verify', 'aws-jwt-verify/*', '@aws-lambda-powertools/*'], message: 'lambda/core is pure: reach AWS through a port in lambda/core/ports.' },
];
const io = ['node:http', 'node:https', 'node:net', 'node:dns', 'node:fs', 'node:fs/promises', 'node:child_process', 'http', 'https', 'net', 'dns', 'fs', 'child_process']
  .map((name) => ({ name, message: 'lambda/core does no I/O: use a port.' }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'cdk.out/**', '.local/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Parse TypeScript files for their imports too, or no-cycle sees no edges at all.
      'import-x/extensions': ['.ts', '.js', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          {
            target: './lambda/core',
            from: './',
            except: ['./lambda/core'],
            message: 'lambda/core imports nothing outside lambda/core: no package (it has no runtime dependency), no adapter, no handler. Reach the world through a port in lambda/core/ports.',
          },
          {
            target: './lambda/adapters',
            from: ['./lambda/handlers', './local'],
            message: 'Adapters are below the hosts: they never import a Lambda handler or local mode.',
          },
          {
            target: './lambda',
            from: './local',
            message: 'local/ is the second host: nothing under lambda/ imports it.',
          },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['lambda/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: impure, paths: io }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'lambda/core reads no environment: configuration arrives as an argument.' },
        { name: 'fetch', message: 'lambda/core does no network I/O: use a port.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use the Clock port.' },
        { object: 'Math', property: 'random', message: 'Use the Random port.' },
        { object: 'crypto', property: 'randomBytes', message: 'Use the Random port.' },
        { object: 'crypto', property: 'randomUUID', message: 'Use the Random port.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the Clock port.' },
        { selector: "ImportSpecifier[imported.name=/^(randomBytes|randomUUID|randomInt|getRandomValues)$/]", message: 'Use the Random port.' },
      ],
    },
  },
);
