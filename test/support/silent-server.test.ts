import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closedPort, startSilentServer } from './silent-server.js';

describe('silent server', () => {
  it('accepts a connection and sends nothing back', async () => {
    const silent = await startSilentServer();
    try {
      const socket = connect(silent.port, '127.0.0.1');
      let received = 0;
      socket.on('data', (chunk) => {
        received += chunk.length;
      });
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(silent.accepted()).toBe(1);
      expect(received).toBe(0);
      expect(socket.destroyed).toBe(false);
      socket.destroy();
    } finally {
      await silent.close();
    }
  });

  it('closedPort refuses connections', async () => {
    const port = await closedPort();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', resolve);
    });
    expect(error.code).toBe('ECONNREFUSED');
  });
});
