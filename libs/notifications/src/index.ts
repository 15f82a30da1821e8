export * from './notification';
export * from './log-channel';
export * from './webhook-channel';
