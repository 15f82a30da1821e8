import Redis from 'ioredis';
import { isPortFree, startRedis, type RedisHandle } from '@vigil/testing';

// Jest ignores testTimeout inside `projects` entries (only the top-level value is read), so int specs set their own.
jest.setTimeout(120_000);

function connect(url: string): Redis {
  // No reconnect loop: a dead server should fail the command, not hang the test.
  return new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
}

async function withRedis<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = connect(url);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

describe('Redis', () => {
  it('is a real server behind REDIS_URL (set by the Jest global setup)', async () => {
    expect(process.env.REDIS_URL).toBeDefined();
    await withRedis(process.env.REDIS_URL as string, async (redis) => {
      expect(await redis.ping()).toBe('PONG');
      await redis.set('vigil:testing:greeting', 'hello', 'EX', 60);
      expect(await redis.get('vigil:testing:greeting')).toBe('hello');
    });
  });

  describe('a private server', () => {
    let redis: RedisHandle;
    beforeAll(async () => {
      redis = await startRedis({ ignoreEnv: true });
    });
    afterAll(() => redis?.stop());

    it('comes back empty on the same port after restart()', async () => {
      await withRedis(redis.url, (client) => client.set('before-restart', '1'));
      const url = redis.url;
      await redis.restart();
      expect(redis.url).toBe(url);
      await withRedis(redis.url, async (client) => {
        expect(await client.ping()).toBe('PONG');
        expect(await client.get('before-restart')).toBeNull();
      });
    });

    it('refuses connections after kill() until restart()', async () => {
      await redis.kill();
      await expect(withRedis(redis.url, (client) => client.ping())).rejects.toThrow();
      await redis.restart();
      await expect(withRedis(redis.url, (client) => client.ping())).resolves.toBe('PONG');
    });
  });

  it('frees its port on stop()', async () => {
    const redis = await startRedis({ ignoreEnv: true });
    const port = Number(new URL(redis.url).port);
    await redis.stop();
    await expect(isPortFree(port)).resolves.toBe(true);
  });

  it('names the missing binary and how to install it', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedis({ ignoreEnv: true })).rejects.toThrow('redis-server not found on PATH: apt-get install redis-server');
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses to restart an external Redis', async () => {
    const redis = await startRedis();
    expect(redis).toMatchObject({ url: process.env.REDIS_URL, external: true });
    await expect(redis.restart()).rejects.toThrow(/REDIS_URL is set/);
  });
});
