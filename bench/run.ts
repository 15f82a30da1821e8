import { UsageError } from './lib/args';

/**
 * `npm run bench -- <name> [flags]`. Each benchmark is loaded only when chosen, so one benchmark's heavy
 * dependencies (or a half-finished one) never slow down or break the others.
 */
interface Benchmark {
  readonly name: string;
  readonly description: string;
  readonly load: () => Promise<{ run(args: readonly string[]): Promise<void>; usage: string }>;
}

const benchmarks: readonly Benchmark[] = [
  {
    name: 'eventstore',
    description: 'PostgresEventStore.append vs plain INSERT (c=1/8/32, 1/10 events); audit-index rebuild vs raw read',
    load: () => import('./eventstore.bench'),
  },
  { name: 'saga', description: 'approval saga latency in the real runtime with 1,000 approvals in flight: proposal → approval_queue row, granting vote → ExecutionStarted; p50/p99 vs an append+readAll floor', load: () => import('./saga/saga.bench') },
  { name: 'nab', description: 'libs/detection on the NAB corpus (../shared/datasets/nab), NAB scorer port, vs published detectors', load: () => import('./nab/nab.bench') },
  { name: 'ingest', description: 'OTLP/HTTP → bus (in-process, Kafka) → ClickHouse spans/s, acknowledged and committed, vs a raw @clickhouse/client insert of the same rows (the fastest plain insert measured); RSS over a steady-rate soak', load: () => import('./ingest/ingest.bench') },
  { name: 'rca', description: 'root-cause ranking on PetShop and Nezha (../shared/datasets/rca): ours vs z-score, random and published', load: () => import('./rca/rca.bench') },
];

function list(): string {
  const width = Math.max(...benchmarks.map((b) => b.name.length));
  return ['usage: npm run bench -- <benchmark> [flags]', '', 'benchmarks:', ...benchmarks.map((b) => `  ${b.name.padEnd(width)}  ${b.description}`)].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const benchmark = benchmarks.find((candidate) => candidate.name === name);
  if (!benchmark) {
    process.stderr.write(`${name && !['-h', '--help'].includes(name) ? `Unknown benchmark "${name}"\n\n` : ''}${list()}\n`);
    return 2;
  }
  const module = await benchmark.load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${module.usage}\n`);
    return 0;
  }
  try {
    await module.run(args);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${module.usage}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
