import { pathToFileURL } from 'node:url';
import { redactSecrets } from './app/secrets.js';
import { type RunningApp, startApp } from './app/start.js';
import { type Config, ConfigError, envFileToLoad, loadConfig } from './config.js';

// The process entry: environment → config → start → signals. The composition root itself is src/app/ (build, start,
// stop); startApp is re-exported here because tests, the bench and the sandbox start the app the way `npm start` does.

export { type RunningApp, type StartOptions, startApp } from './app/start.js';

async function main(): Promise<void> {
  const config = readConfig();
  let app: RunningApp;
  try {
    app = await startApp(config);
  } catch (error) {
    // One line naming what failed (StartupError: Telegram or the database, where, and the cause); no secrets.
    const message = redactSecrets((error as Error)?.message ?? String(error), config);
    process.stderr.write(`startup failed: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    process.stderr.write(`${signal} received\n`);
    // stop() is bounded by SHUTDOWN_TIMEOUT_MS in total; whatever it cut off ends with the process.
    app.stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`shutdown failed: ${(error as Error)?.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** The environment (a .env file beside the app, or ENV_FILE's, fills in what is not set) parsed once; exits on errors. */
function readConfig(): Config {
  const envFile = envFileToLoad(process.env);
  if (envFile.problem) {
    process.stderr.write(`config error: ${envFile.problem}\n`);
    process.exit(1);
  }
  if (envFile.path) loadEnvFileKeepingExisting(envFile.path);
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.stderr.write('See README.md ("Configuration") and .env.example.\n');
    process.stderr.write('No accounts yet? `npm run sandbox` tries everything locally, with no configuration.\n');
    process.exit(1);
  }
}

/** Real variables win over the file's. */
function loadEnvFileKeepingExisting(path: string): void {
  const before = { ...process.env };
  process.loadEnvFile(path);
  Object.assign(process.env, before);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
