export * from './executor.port';
export * from './not-configured.executor';
export * from './testing/in-memory-execution-journal';
