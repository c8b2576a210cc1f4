import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { TestProject } from 'vitest/node';

// vitest globalSetup: src/ compiled to JavaScript once per run, for the tests that start the app as a process
// (./app-process.ts). `npm start` runs tsc's output too (dist/main.js); `node --import tsx src/main.ts` cost
// ~1.35 s of CPU per start against ~0.55 s for the compiled files, and the suite starts ~15 processes, several at once.
// Each file is compiled on its own (transpileModule with tsconfig.build.json's options): with isolatedModules and
// verbatimModuleSyntax that is what tsc emits, without the type check (`npm run typecheck` does that).
// The output sits one level below the checkout, as dist/ does, so the paths the app finds from its own location
// (src/db/migrations, locales/) and node_modules resolve the same; one directory per run, removed after it.

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled src/main.ts the process tests run. */
    appEntry: string;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function compileApp(outDir: string): string {
  const configPath = join(ROOT, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  // NodeNext decides ESM or CommonJS by the nearest package.json, which a single-file compile does not read: the
  // package is "type": "module", so ESM it is.
  const compilerOptions = {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    sourceMap: false,
    declaration: false,
    incremental: false,
  };
  const rootDir = parsed.options.rootDir ?? join(ROOT, 'src');
  for (const file of parsed.fileNames) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
    const target = join(outDir, relative(rootDir, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return join(outDir, 'main.js');
}

export default function setup(project: TestProject): () => void {
  const outDir = join(ROOT, `.test-build-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  project.provide('appEntry', compileApp(outDir));
  return () => rmSync(outDir, { recursive: true, force: true });
}
