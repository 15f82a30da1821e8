export * from './event-hash';
export * from './merkle';
