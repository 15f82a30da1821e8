// Test tiers by file suffix: .unit.spec.ts (pure), .int.spec.ts (real Postgres/Redis/Kafka/chDB), .e2e.spec.ts (HTTP, browser).
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
}];
const moduleNameMapper = {
  '^@vigil/domain/(.*)$': '<rootDir>/libs/domain/$1/src',
  '^@vigil/event-store$': '<rootDir>/libs/event-store/src',
  '^@vigil/read-models$': '<rootDir>/libs/read-models/src',
  '^@vigil/config$': '<rootDir>/libs/config/src',
  '^@vigil/database$': '<rootDir>/libs/database/src',
  '^@vigil/application$': '<rootDir>/libs/application/src',
  '^@vigil/executors$': '<rootDir>/libs/executors/src',
  '^@vigil/telemetry$': '<rootDir>/libs/telemetry/src',
  '^@vigil/contracts$': '<rootDir>/libs/contracts/src',
  '^@vigil/detection$': '<rootDir>/libs/detection/src',
  '^@vigil/investigation$': '<rootDir>/libs/investigation/src',
  '^@vigil/investigation-store$': '<rootDir>/libs/investigation-store/src',
  '^@vigil/execution-worker$': '<rootDir>/libs/execution-worker/src',
  '^@vigil/saga-host$': '<rootDir>/libs/saga-host/src',
  '^@vigil/notifications$': '<rootDir>/libs/notifications/src',
  '^@vigil/integrations/(.*)$': '<rootDir>/libs/integrations/$1/src',
  '^@vigil/testing$': '<rootDir>/libs/testing/src',
  '^@vigil/scenarios$': '<rootDir>/libs/scenarios/src',
  '^@vigil/migrations$': '<rootDir>/migrations',
};
const base = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname,
  testPathIgnorePatterns: ['/node_modules/', '/.vigil/', '/dist/'] };
module.exports = {
  transform: base.transform,
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  reporters: ['default', '<rootDir>/libs/testing/src/jest/summary-reporter.js'],
  maxWorkers: 2,
  // Global option (ignored inside projects): integration specs start real services.
  testTimeout: 120000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/**/*.int.spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e.spec.ts'] },
  ],
};
