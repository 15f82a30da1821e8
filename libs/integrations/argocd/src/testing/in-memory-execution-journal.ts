// One implementation for every executor's tests: see libs/executors.
export { InMemoryExecutionJournal, testExecutionContext } from '@vigil/executors';
