export * from './dedup-key';
export * from './events-client';
export * from './webhook';
// Test support: a local PagerDuty Events API v2 for specs.
export * from './testing';
