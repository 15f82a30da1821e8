export * from './events';
export * from './commands';
export * from './state';
export * from './errors';
export { decide as decideInvestigation } from './decide';
export { evolve as evolveInvestigation } from './evolve';
export * from './decider';
