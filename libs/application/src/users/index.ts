export * from './roles';
export * from './users-repository';
