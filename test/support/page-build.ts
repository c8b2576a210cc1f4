import { buildPage } from '../../src/miniapp/page/build.mjs';

// vitest globalSetup: the dashboard page bundled once per run, into dist/miniapp-page/ as `npm run build` does, so
// the app under test serves the page built from the sources being tested (about a second).
export default async function setup(): Promise<void> {
  await buildPage();
}
