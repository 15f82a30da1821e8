export * from './duration';
export * from './levels';
export * from './events';
export * from './commands';
export * from './state';
export * from './errors';
export { decide as decideEscalation } from './decide';
export { evolve as evolveEscalation } from './evolve';
export * from './decider';
