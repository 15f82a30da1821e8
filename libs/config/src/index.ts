export * from './vigil-config';
