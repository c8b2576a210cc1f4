import { createConnection, createServer, type Server, type Socket } from 'node:net';

// A TCP proxy on loopback that a test can "unplug": block() cuts every connection through it
// and resets new ones until unblock(). Put it between the app and Postgres to make the
// database go down and come back without touching the server itself.

export interface TcpProxy {
  host: string;
  port: number;
  /** Connections accepted so far (blocked ones included). */
  readonly accepted: number;
  /** Connections currently piped to the target. */
  readonly open: number;
  /** The same URL with host and port pointing at the proxy (e.g. a postgres:// DATABASE_URL). */
  rewriteUrl(url: string): string;
  /** Resets every current connection (both sides) and every new one until unblock(); resolves when all are closed. */
  block(): Promise<void>;
  unblock(): void;
  close(): Promise<void>;
}

/** Abortive close where the platform allows it, so the client sees ECONNRESET rather than a polite FIN. */
function kill(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function' && socket.readyState !== 'opening') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let blocked = false;
  let accepted = 0;

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => {});
    if (blocked) {
      kill(client);
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    upstream.on('error', () => {});
    const pair = { client, upstream };
    pairs.add(pair);
    const teardown = () => {
      pairs.delete(pair);
      kill(client);
      kill(upstream);
    };
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tcp proxy: no address');
  const port = address.port;

  const closeAll = async (): Promise<void> => {
    const closing = [...pairs].flatMap(({ client, upstream }) =>
      [client, upstream].map((socket) =>
        socket.closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve())),
      ),
    );
    for (const { client, upstream } of [...pairs]) {
      kill(client);
      kill(upstream);
    }
    await Promise.all(closing);
  };

  return {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    rewriteUrl(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    async block() {
      blocked = true;
      await closeAll();
    },
    unblock() {
      blocked = false;
    },
    async close() {
      blocked = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeAll();
      await stopped;
    },
  };
}
