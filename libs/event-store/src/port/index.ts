export * from './position';
export * from './events';
export * from './errors';
export * from './event-store';
export * from './validate-append';
