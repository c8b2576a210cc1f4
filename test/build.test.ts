import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` runs `npm run build` first: on an unchanged tree it must emit nothing (tsc -b with its build
// info in dist/, so `rm -rf dist` also forgets it and the next build emits everything again). Checked on a
// two-file project that uses this repo's build script and tsconfig files, so the check takes seconds.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'paybot-build-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const UNTOUCHED = '\n// not rewritten since the first build\n';

function build(): void {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build;
  const [tool, ...args] = script.split(/\s+/);
  expect(tool).toBe('tsc');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], {
    cwd: project,
    stdio: 'pipe',
  });
}
const read = (file: string) => readFileSync(join(project, file), 'utf8');

describe('npm run build', () => {
  it('emits nothing on an unchanged tree, only what changed after an edit, everything after rm -rf dist', () => {
    for (const file of ['tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, file), join(project, file));
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src/a.ts'), 'export const a: number = 1;\n');
    writeFileSync(join(project, 'src/b.ts'), 'export const b: string = "one";\n');

    build();
    expect(read('dist/a.js')).toContain('export const a = 1;');
    appendFileSync(join(project, 'dist/a.js'), UNTOUCHED);
    appendFileSync(join(project, 'dist/b.js'), UNTOUCHED);

    build();
    expect(read('dist/a.js')).toContain(UNTOUCHED);
    expect(read('dist/b.js')).toContain(UNTOUCHED);

    writeFileSync(join(project, 'src/b.ts'), 'export const b: string = "two";\n');
    build();
    expect(read('dist/b.js')).toContain('"two"');
    expect(read('dist/b.js')).not.toContain(UNTOUCHED);
    expect(read('dist/a.js')).toContain(UNTOUCHED);

    rmSync(join(project, 'dist'), { recursive: true });
    build();
    expect(read('dist/a.js')).toContain('export const a = 1;');
    expect(read('dist/b.js')).toContain('"two"');
  }, 60_000);
});
