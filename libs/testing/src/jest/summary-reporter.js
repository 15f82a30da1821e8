// Ends every run with one machine-readable line, "N passed, N failed[, N skipped]", which CI parses.
class SummaryReporter {
  onRunComplete(_testContexts, results) {
    // A suite that fails before running any test (syntax error, throwing import) counts as a failure.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    // Jest runs its own summary reporter after custom ones; deferring keeps this line last.
    setImmediate(() => process.stdout.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
