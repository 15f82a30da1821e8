import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';

// Jest ignores testTimeout inside `projects` entries (only the top-level value is read), so int specs set their own.
jest.setTimeout(120_000);

describe('ClickHouse (chDB unless CLICKHOUSE_URL is set)', () => {
  let clickhouse: ClickHouseHandle;
  beforeAll(async () => {
    clickhouse = await startClickHouse();
  });
  afterAll(() => clickhouse?.stop());

  it('stores rows inserted as JSONEachRow in a MergeTree table and queries them back', async () => {
    const table = `incidents_${Date.now().toString(36)}`;
    const { client } = clickhouse;
    await client.command({
      query: `CREATE TABLE ${table} (id UInt32, service String, severity Enum8('low' = 1, 'high' = 2), at DateTime)
              ENGINE = MergeTree ORDER BY (service, id)`,
    });
    try {
      await client.insert({
        table,
        format: 'JSONEachRow',
        values: [
          { id: 1, service: 'checkout', severity: 'high', at: '2025-01-01 10:00:00' },
          { id: 2, service: 'search', severity: 'low', at: '2025-01-01 10:05:00' },
          { id: 3, service: 'checkout', severity: 'low', at: '2025-01-01 10:10:00' },
        ],
      });

      const rows = await (await client.query({ query: `SELECT id, service, severity FROM ${table} ORDER BY id`, format: 'JSONEachRow' })).json();
      expect(rows).toEqual([
        { id: 1, service: 'checkout', severity: 'high' },
        { id: 2, service: 'search', severity: 'low' },
        { id: 3, service: 'checkout', severity: 'low' },
      ]);

      // count() is UInt64: a ClickHouse server quotes it in JSON, chDB does not, hence Number().
      const perService = await (await client.query({
        query: `SELECT service, count() AS incidents FROM ${table} GROUP BY service ORDER BY service`,
        format: 'JSONEachRow',
      })).json<{ service: string; incidents: string | number }>();
      expect(perService.map(({ service, incidents }) => [service, Number(incidents)])).toEqual([['checkout', 2], ['search', 1]]);

      const [{ engine }] = await (await client.query({
        query: `SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {table:String}`,
        query_params: { table },
        format: 'JSONEachRow',
      })).json<{ engine: string }>();
      expect(engine).toBe('MergeTree');
    } finally {
      await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    }
  });

  it('lets a second client in the same process share the engine', async () => {
    if (clickhouse.external) return;
    const second = await startClickHouse();
    try {
      expect(second.dataDir).toBe(clickhouse.dataDir);
      const [{ answer }] = await (await second.client.query({ query: 'SELECT 42 AS answer', format: 'JSONEachRow' })).json<{ answer: number }>();
      expect(answer).toBe(42);
    } finally {
      await second.stop();
    }
  });

  it('applies a call\'s settings to that call only: an insert without a dedup token after one with a token is stored', async () => {
    // chDB turns settings into session-wide SETs; unwrapped, the second and third inserts below reused the token "tok"
    // and the third was dropped as a duplicate of the second.
    const stamp = Date.now().toString(36);
    const { client } = clickhouse;
    const dedupTable = (name: string) => `CREATE TABLE ${name} (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100`;
    await client.command({ query: dedupTable(`tokened_${stamp}`) });
    await client.command({ query: dedupTable(`plain_${stamp}`) });
    try {
      await client.insert({ table: `tokened_${stamp}`, format: 'JSONEachRow', values: [{ id: 1 }], clickhouse_settings: { insert_deduplication_token: 'tok' } });
      await client.insert({ table: `plain_${stamp}`, format: 'JSONEachRow', values: [{ id: 1 }] });
      await client.insert({ table: `plain_${stamp}`, format: 'JSONEachRow', values: [{ id: 2 }] });
      const rows = await (await client.query({ query: `SELECT id FROM plain_${stamp} ORDER BY id`, format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
      const token = await (await client.query({ query: `SELECT getSetting('insert_deduplication_token') AS token`, format: 'JSONEachRow' })).json();
      expect(token).toEqual([{ token: '' }]);
    } finally {
      await client.command({ query: `DROP TABLE IF EXISTS tokened_${stamp}` });
      await client.command({ query: `DROP TABLE IF EXISTS plain_${stamp}` });
    }
  });
});
