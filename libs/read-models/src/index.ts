export * from './projection-runner/projection';
export * from './projection-runner/projection-checkpoint.entity';
export * from './projection-runner/projection-runner';
export * from './projection-runner/rebuild-projection';
export * from './audit-index/audit-index-entry.entity';
export * from './audit-index/audit-index.projection';
export * from './registry';
