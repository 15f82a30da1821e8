export * from './kubernetes-contract-server';
export * from './in-memory-execution-journal';
