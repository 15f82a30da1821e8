export * from './aggregates';
export * from './command-bus';
