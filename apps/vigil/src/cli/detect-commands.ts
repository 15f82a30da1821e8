import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { createCsvScorer, CSV_OUTPUT_HEADER } from '../../../../libs/detection/src';

export function registerDetectCommands(program: Command): void {
  program
    .command('detect')
    .description('Score a timestamp,value CSV with the streaming anomaly detector (frozen default parameters); prints timestamp,value,anomaly_score')
    .requiredOption('--csv <file>', 'input CSV ("-" for stdin): a timestamp,value header, then one row per sample in time order')
    .action(async (options: { csv: string }) => {
      if (options.csv !== '-') {
        await access(options.csv).catch(() => {
          throw new Error(`detect: cannot read ${options.csv}`);
        });
      }
      const input = options.csv === '-' ? process.stdin : createReadStream(options.csv);
      const scorer = createCsvScorer();
      let batch: string[] = [CSV_OUTPUT_HEADER];
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        const row = scorer.line(line);
        if (row !== undefined) batch.push(row);
        if (batch.length >= 4096) {
          process.stdout.write(`${batch.join('\n')}\n`);
          batch = [];
        }
      }
      if (batch.length) process.stdout.write(`${batch.join('\n')}\n`);
      if (scorer.skipped) process.stderr.write(`detect: ${scorer.skipped} of ${scorer.rows} rows had no usable timestamp or value and scored 0\n`);
    });
}
