export * from './slack-contract-server';
export * from './interaction-requests';
