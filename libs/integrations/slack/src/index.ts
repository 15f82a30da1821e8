export * from './signature';
export * from './slack-errors';
export * from './slack-api';
export * from './approval-card';
export * from './interaction';
// Test support: a local Slack Web API for specs (exported like the ArgoCD lib's contract server).
export * from './testing';
