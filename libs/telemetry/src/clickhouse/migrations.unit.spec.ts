import { MIGRATIONS, resolveSchemaOptions } from './migrations';

const statements = (cluster?: string) => MIGRATIONS.flatMap((migration) => migration.statements(resolveSchemaOptions({ database: 'tel', cluster })));
const created = (sql: string) => /^CREATE (?:TABLE|MATERIALIZED VIEW) IF NOT EXISTS `tel`\.`(\w+)`/.exec(sql)?.[1];

describe('telemetry DDL', () => {
  it('single server: plain engines, no ON CLUSTER, no Distributed tables', () => {
    const all = statements();
    expect(all.some((sql) => /ON CLUSTER|Distributed|Replicated/.test(sql))).toBe(false);
    expect(all.map(created)).toEqual(expect.arrayContaining(['otel_traces', 'otel_red_input', 'otel_red_1m', 'otel_red_10m', 'otel_red_1h', 'otel_traces_undecided']));
  });

  it('drops otel_traces_undecided again in a later migration (undecided spans are held in memory now)', () => {
    const single = statements();
    expect(single.indexOf('DROP TABLE IF EXISTS `tel`.`otel_traces_undecided` SYNC')).toBeGreaterThan(single.findIndex((sql) => created(sql) === 'otel_traces_undecided'));
    expect(statements('vigil').filter((sql) => sql.startsWith('DROP TABLE'))).toEqual([
      'DROP TABLE IF EXISTS `tel`.`otel_traces_undecided` ON CLUSTER `vigil` SYNC',
      'DROP TABLE IF EXISTS `tel`.`otel_traces_undecided_local` ON CLUSTER `vigil` SYNC',
    ]);
  });

  describe('cluster mode', () => {
    const all = statements('vigil');

    it('runs every statement ON CLUSTER', () => {
      for (const sql of all) expect(sql.split('\n')[0]).toMatch(/ ON CLUSTER `vigil`/);
    });

    it('stores rows in Replicated*MergeTree `_local` tables with a Distributed table under the usual name', () => {
      const traces = all.find((sql) => created(sql) === 'otel_traces_local');
      expect(traces).toMatch(/ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/tel\/otel_traces_local', '\{replica\}'\)/);
      expect(all.find((sql) => created(sql) === 'otel_traces')).toMatch(/AS `tel`\.`otel_traces_local`\nENGINE = Distributed\(`vigil`, `tel`, `otel_traces_local`, cityHash64\(TraceId\)\)/);
      expect(all.find((sql) => created(sql) === 'changes_local')).toMatch(/ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/tel\/changes_local', '\{replica\}', ReceivedAt\)/);
      expect(all.find((sql) => created(sql) === 'otel_red_1h_local')).toMatch(/ENGINE = ReplicatedAggregatingMergeTree\(/);
      const tables = all.filter((sql) => sql.startsWith('CREATE TABLE')).map(created);
      for (const name of tables.filter((table) => table?.endsWith('_local'))) expect(tables).toContain(name?.replace(/_local$/, ''));
    });

    it('keeps the RED input a Null table and points every materialized view from local table to local table', () => {
      expect(all.find((sql) => created(sql) === 'otel_red_input_local')).toMatch(/ENGINE = Null$/);
      const views = all.filter((sql) => sql.startsWith('CREATE MATERIALIZED VIEW'));
      expect(views).toHaveLength(4);
      for (const view of views) {
        expect(view).toMatch(/ TO `tel`\.`\w+_local` AS/);
        expect(view).toMatch(/FROM `tel`\.`\w+_local`/);
      }
    });
  });
});
