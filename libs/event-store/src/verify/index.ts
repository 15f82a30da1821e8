export * from './verify-audit-log';
