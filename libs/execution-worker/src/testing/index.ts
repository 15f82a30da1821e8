// Test support (not exported from the lib's index): seed a proposal → approval → execution through the command bus.
export * from './execution-fixtures';
