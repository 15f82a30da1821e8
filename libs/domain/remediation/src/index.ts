export * from './actions';
export * from './risk';
export * from './events';
export * from './commands';
export * from './state';
export * from './errors';
export { decide as decideRemediationProposal } from './decide';
export { evolve as evolveRemediationProposal } from './evolve';
export * from './decider';
