export * from './roles';
export * from './users-repository';
export * from './register-user';
