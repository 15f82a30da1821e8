import { createServer, type Server } from 'node:net';

const LOOPBACK = '127.0.0.1';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A TCP port that is free on `host` right now (the OS picks it; someone else could still take it later). */
export async function getFreePort(host = LOOPBACK): Promise<number> {
  const [port] = await getFreePorts(1, host);
  return port;
}

/** `count` distinct free ports: all are held open together so the OS cannot hand out the same one twice. */
export async function getFreePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0, host));
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('Listening socket has no TCP port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** Whether nothing is listening on `port` at `host`. */
export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch {
    return false;
  }
}
