export * from './argocd-contract-server';
export * from './in-memory-execution-journal';
