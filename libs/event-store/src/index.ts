export * from './port';
export * from './hashing';
export * from './postgres';
export * from './sealer';
export * from './verify';
export * from './command-handling';
export * from './eventstoredb';
export * from './subscriptions/wake-up';
