// The core stays pure: no AWS SDK, no Lambda types, no environment, no clock, no
// randomness, no network. Adapters provide those through the ports in lambda/core/ports.ts.
import tseslint from 'typescript-eslint';

const impure = [
  { group: ['@aws-sdk/*', 'aws-lambda', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'aws-jwt-verify', 'aws-jwt-verify/*', '@aws-lambda-powertools/*'], message: 'lambda/core is pure: reach AWS through a port in lambda/core/ports.ts.' },
  { group: ['**/adapters/*', '**/adapters/**', '**/handlers/**'], message: 'lambda/core must not depend on adapters or handlers.' },
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
