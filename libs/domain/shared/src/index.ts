export * from './decider';
export * from './domain-error';
export * from './canonical-json';
export * from './decider-specification';
