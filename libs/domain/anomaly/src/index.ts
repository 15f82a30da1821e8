export * from './severity';
export * from './dedup-key';
export * from './events';
export * from './commands';
export * from './state';
export * from './errors';
export { decide as decideAnomaly } from './decide';
export { evolve as evolveAnomaly } from './evolve';
export * from './decider';
