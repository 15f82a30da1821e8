export * from './outputs';
export * from './events';
export * from './facts';
export * from './context';
export * from './ids';
export * from './timers';
export * from './react';
