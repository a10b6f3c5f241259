/**
 * One Jest run for every kind of test. Integration, e2e and security tests share one
 * DynamoDB Local started by the global setup (each suite creates its own tables under a
 * unique prefix), so the whole suite pays the JVM start once.
 *
 * oauth4webapi and jose are ESM-only or ESM-first; ts-jest transpiles them to CommonJS
 * here because Jest's module system cannot load ESM without experimental flags. The MCP
 * SDK's private_key_jwt signer imports its own jose 6 (ESM-only): every `jose` resolves to
 * the repo's jose 5, whose SignJWT and key imports are the same API, in CommonJS.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi)/)'],
  moduleNameMapper: { '^jose$': require.resolve('jose') },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
