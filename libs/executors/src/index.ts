export * from './executor.port';
export * from './not-configured.executor';
