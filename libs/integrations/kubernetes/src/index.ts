export * from './client-node';
export * from './json-merge';
export * from './kubernetes-actions';
export * from './kubernetes-objects';
export * from './kubernetes-api';
export * from './kubernetes.executor';
// Test support, exported for other libs' specs (the execution worker builds its crash tests on these).
export * from './testing';
