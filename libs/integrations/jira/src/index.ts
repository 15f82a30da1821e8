export * from './jira-tracker';
// Test support: a local Jira Cloud REST v3 for specs.
export * from './testing';
