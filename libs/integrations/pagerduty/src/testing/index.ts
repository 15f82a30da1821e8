export * from './pagerduty-contract-server';
