// The dashboard page's build, run by `npm run build` (package.json's postbuild) and by the tests' globalSetup:
// src/miniapp/page/main.ts with the Mini App SDK, uPlot and Fluent bundled by esbuild into one script, uPlot's and
// the page's CSS into one stylesheet, and index.html, in dist/miniapp-page/ (served at /app/ by src/miniapp/page.ts).
// Everything the page loads comes from the bot's own server.
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
export const PAGE_OUT = path.join(ROOT, 'dist/miniapp-page');

export async function buildPage(outDir = PAGE_OUT) {
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    entryPoints: [path.join(HERE, 'main.ts')],
    outfile: path.join(staging, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'safari15', 'firefox100'],
    minify: true,
    legalComments: 'none',
    loader: { '.ftl': 'text' },
    logLevel: 'warning',
  });
  const css = [
    readFileSync(path.join(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8'),
    readFileSync(path.join(HERE, 'style.css'), 'utf8'),
  ].join('\n');
  writeFileSync(path.join(staging, 'app.css'), css);
  copyFileSync(path.join(HERE, 'index.html'), path.join(staging, 'index.html'));
  // Swapped in whole, so a server reading the directory never sees half a build.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.dirname(outDir), { recursive: true });
  renameSync(staging, outDir);
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPage();
}
