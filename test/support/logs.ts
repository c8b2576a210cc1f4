import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';

export interface CapturedLogs {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  raw: string[];
  find(msg: string | RegExp): Array<Record<string, unknown>>;
}

/** The app's real logger (redaction included), writing into memory for assertions. */
export function captureLogs(secrets: string[] = [], level = 'debug'): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      callback();
    },
  });
  const logger = createLogger({ level, secrets, destination });
  return {
    logger,
    lines,
    raw,
    find: (msg) => lines.filter((line) => (typeof msg === 'string' ? line.msg === msg : msg.test(String(line.msg)))),
  };
}
