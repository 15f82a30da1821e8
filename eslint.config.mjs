// Module boundaries: libs/domain/** is pure TypeScript (no framework, no I/O, no adapters, no apps).
import tseslint from 'typescript-eslint';

const forbiddenInDomain = [
  { group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'pg-*', 'ioredis', 'redis', 'bullmq', 'kafkajs',
      '@clickhouse/*', 'chdb', 'chdb/*', '@eventstore/*', 'express', 'axios', 'undici', 'node-fetch',
      'node:http', 'node:https', 'http', 'https', 'node:net', 'net', 'node:fs', 'fs', 'node:child_process',
      'child_process', '@slack/*', '@pagerduty/*', 'jira.js', '@kubernetes/*', 'pino', 'pino-*'],
    message: 'libs/domain is pure: no framework, database, broker, HTTP or file I/O imports.' },
  { group: ['@vigil/event-store', '@vigil/read-models', '@vigil/testing', '@vigil/config', '@vigil/migrations',
      '@vigil/integrations/*', '**/apps/**', '../../../apps/**', '**/libs/event-store/**', '**/libs/read-models/**',
      '**/libs/integrations/**', '**/libs/testing/**'],
    message: 'libs/domain must not depend on apps or adapter libs.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.vigil/**', 'coverage/**', 'apps/console/dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInDomain }],
      'no-restricted-globals': ['error',
        { name: 'Date', message: 'Deciders get time from command metadata.' },
        { name: 'fetch', message: 'Deciders do no I/O.' },
        { name: 'setTimeout', message: 'Deciders do no I/O.' },
        { name: 'process', message: 'Deciders read no environment.' }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Deciders get ids from command metadata.' },
        { object: 'crypto', property: 'randomUUID', message: 'Deciders get ids from command metadata.' }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
