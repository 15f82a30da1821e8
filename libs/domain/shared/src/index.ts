export * from './decider';
export * from './domain-error';
export * from './canonical-json';
export * from './decider-specification';
export * from './instant';
export * from './json';
export * from './error-catalogue';
