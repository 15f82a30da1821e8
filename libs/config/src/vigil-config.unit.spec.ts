import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './vigil-config';

describe('configuration', () => {
  it('starts with no environment at all, on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_URL: undefined, REDIS_URL: undefined, CLICKHOUSE_URL: undefined });
    expect(config.dataDir).toMatch(/\.vigil$/);
    expect(config.signingKeyFile).toMatch(/\.vigil\/keys\/audit-signing\.key$/);
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', KAFKA_BROKERS: 'a b' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379' });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['PORT', 'REDIS_URL']);
      expect((error as Error).message).toContain('REDIS_URL: must be a URL starting with redis: or rediss:');
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' }).DATABASE_URL).toBeUndefined();
  });

  it('lists every variable in .env.example', () => {
    const example = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
    const missing = Object.keys(CONFIG_VARIABLES).filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});
