import { startSandbox } from './sandbox.js';

// `npm run sandbox`: no accounts, no environment needed. PORT (3000), HOST (127.0.0.1) and DATA_DIR
// (a temporary folder, removed on exit) are optional; LOG_LEVEL sets the app's log level (warn).

const { PORT, HOST, DATA_DIR, LOG_LEVEL } = process.env;
const port = PORT ? Number(PORT) : 3000;
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`PORT must be a whole number from 0 to 65535, got "${PORT}"\n`);
  process.exit(1);
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
try {
  sandbox = await startSandbox({ port, host: HOST || undefined, dataDir: DATA_DIR || undefined, logLevel: LOG_LEVEL });
} catch (error) {
  const why = (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE' ? `port ${port} is taken; try PORT=3001` : error;
  process.stderr.write(`sandbox failed to start: ${why instanceof Error ? why.message : String(why)}\n`);
  process.exit(1);
}
process.stdout.write(
  `Sandbox ready: open ${sandbox.url} (the bot, fake Telegram and SMARTy Pay simulator; Ctrl-C stops)\n`,
);

const shutdown = () => {
  process.stdout.write('stopping the sandbox…\n');
  sandbox.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
