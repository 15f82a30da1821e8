import { createServer } from 'node:net';
import { getFreePort, getFreePorts, isPortFree, MissingDependencyError, requireExecutable, waitFor, WaitTimeoutError } from '@vigil/testing';

describe('free ports', () => {
  it('hands out distinct ports that can be bound', async () => {
    const ports = await getFreePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) await expect(isPortFree(port)).resolves.toBe(true);
  });

  it('reports a port with a listener as taken', async () => {
    const port = await getFreePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(isPortFree(port)).resolves.toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('waitFor', () => {
  it('returns the first truthy result, retrying falsy results and errors', async () => {
    let attempts = 0;
    const value = await waitFor(() => {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return attempts >= 3 ? 'ready' : undefined;
    }, { what: 'the third attempt', intervalMs: 1 });
    expect(value).toBe('ready');
    expect(attempts).toBe(3);
  });

  it('names what it waited for and the last error on timeout', async () => {
    const waiting = waitFor(() => Promise.reject(new Error('connection refused')), { what: 'the moon', timeoutMs: 50, intervalMs: 10 });
    await expect(waiting).rejects.toThrow(WaitTimeoutError);
    await expect(waiting).rejects.toThrow('Timed out after 50ms waiting for the moon (last error: connection refused)');
  });

  it('gives up at once when failIf reports a reason', async () => {
    let checks = 0;
    const waiting = waitFor(() => ++checks > 100, { what: 'a dead server', failIf: () => (checks >= 2 ? 'it exited with code 1' : undefined), intervalMs: 1 });
    await expect(waiting).rejects.toThrow('Gave up waiting for a dead server: it exited with code 1');
    expect(checks).toBe(2);
  });

  it('is not stalled by fake timers in the calling test', async () => {
    jest.useFakeTimers();
    try {
      let checks = 0;
      await expect(waitFor(() => ++checks >= 3, { what: 'the third check', intervalMs: 5, timeoutMs: 1_000 })).resolves.toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('requireExecutable', () => {
  it('finds binaries on PATH', () => {
    expect(requireExecutable('sh', 'apt-get install dash')).toMatch(/\/sh$/);
  });

  it('says what is missing and how to install it', () => {
    expect(() => requireExecutable('vigil-no-such-binary', 'apt-get install vigil-no-such-binary')).toThrow(
      new MissingDependencyError('vigil-no-such-binary not found on PATH: apt-get install vigil-no-such-binary'),
    );
  });
});
