export * from './aggregates';
export * from './policy/load-approval-policy';
export * from './users';
