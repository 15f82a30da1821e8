export * from './argocd-types';
export * from './argocd-client';
export * from './http-transport';
export * from './rollback-plan';
export * from './argocd-rollback.executor';
// Test support, exported for other libs' specs (the execution worker builds its crash tests on these).
export * from './testing';
