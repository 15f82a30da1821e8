export * from './jira-contract-server';
