import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { AuditReport, keyIdOf, publicKeyFromPem, verifyAuditLog } from '@vigil/event-store';
import { progressBar } from './progress';
import { withRuntime } from './with-runtime';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Audit log: verify, replay, export');
  audit
    .command('verify')
    .description('Recompute every stream hash chain and every signed checkpoint; exit 0 only when the log is intact')
    .option('--json', 'print the full report as JSON')
    .option('--public-key <file...>', 'trust only these public keys (PEM) instead of the configured signing key')
    .action(async (options: { json?: boolean; publicKey?: string[] }) => {
      const report = await withRuntime(async (runtime) => {
        const trustedKeys = options.publicKey
          ? new Map(options.publicKey.map((file) => {
              const key = publicKeyFromPem(readFileSync(file, 'utf8'));
              return [keyIdOf(key), key] as const;
            }))
          : runtime.trustedKeys;
        const bar = progressBar('verifying');
        let begun = false;
        try {
          return await verifyAuditLog(runtime.pool, {
            trustedKeys,
            onProgress: (checked, total) => {
              if (!begun) bar.start(total, 0);
              begun = true;
              bar.update(checked);
            },
          });
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report));
      process.exitCode = report.intact ? 0 : 1;
    });
}

export function describeReport(report: AuditReport): string {
  const lines = [
    report.intact ? 'INTACT: the audit log verifies.' : 'TAMPERED: the audit log does not verify.',
    `  events checked: ${report.eventsChecked} in ${report.streamsChecked} streams`,
    `  checkpoints checked: ${report.checkpointsChecked}${report.lastCheckpoint ? ` (last #${report.lastCheckpoint.seq} up to ${report.lastCheckpoint.toPosition}, sealed ${report.lastCheckpoint.sealedAt}, key ${report.lastCheckpoint.keyId})` : ''}`,
    `  events not yet sealed: ${report.unsealedEvents}`,
  ];
  if (report.firstBadPosition) lines.push(`  first bad position: ${report.firstBadPosition}`);
  if (report.firstBadCheckpoint !== undefined) lines.push(`  first bad checkpoint: #${report.firstBadCheckpoint}`);
  for (const failure of report.failures.slice(0, 20)) lines.push(`  - [${failure.kind}] ${failure.message}`);
  if (report.failures.length > 20) lines.push(`  … and ${report.failures.length - 20} more`);
  return `${lines.join('\n')}\n`;
}
