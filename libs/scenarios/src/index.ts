export * from './random';
export * from './topology';
export * from './faults';
export * from './scenario';
export * from './otlp';
export * from './send';
export * from './replay';
export * from './verdict';
