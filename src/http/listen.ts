import { createServer, type RequestListener, type Server } from 'node:http';

/** Limits on every HTTP connection the app accepts (the webhook port and the metrics port). */
export interface HttpLimits {
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * How often Node looks for connections past the two timeouts above. Node's default is 30 s, which held a slow
   * client for ~30 s whatever the timeouts said; checking every second makes the limits real to within a second.
   */
  checkIntervalMs: number;
  /** Connections open at once; past it new ones are closed at once. */
  maxConnections: number;
}

// Webhooks are small and quick: a client that dribbles its request is cut off. Telegram opens at most 100
// connections per webhook (setWebhook max_connections) and SMARTy Pay a few, so 512 leaves a proxy ample room.
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxConnections: 512,
};

/** Listens on host:port (0 picks a free port) with `limits`; resolves once listening. */
export function listen(handler: RequestListener, port: number, host: string, limits: HttpLimits): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The URL a client on this machine uses to reach `server` (0.0.0.0 and :: are reached on loopback). */
export function urlOf(server: Server, host: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const reachable =
    host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
