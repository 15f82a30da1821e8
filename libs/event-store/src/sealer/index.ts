export * from './signing-key';
export * from './checkpoint';
export * from './checkpoint-repository';
export * from './audit-sealer';
