export * from './events';
export * from './commands';
export * from './state';
export * from './errors';
export { decide as decideExecution } from './decide';
export { evolve as evolveExecution } from './evolve';
export * from './decider';
