import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The rooms of src/ and their order, lowest first (docs/architecture.md, "Rooms", lists them the same way). A file
// may import its own room and the rooms of lower levels; rooms on one level do not import each other. A room is a
// folder (`bot/`) or a file directly under src/ (`config.ts`).
const LEVELS: readonly (readonly string[])[] = [
  ['decimal.ts', 'logger.ts', 'startup.ts', 'metrics.ts', 'telegram/', 'i18n/'],
  ['db/'],
  ['payments/'],
  ['config.ts', 'connect.ts'],
  ['chats/', 'merchants/'],
  ['invoices/'],
  ['products/'],
  ['access/'],
  ['views/'],
  ['notify/'],
  ['bot/', 'http/', 'miniapp/'],
  ['app/'],
  ['main.ts'],
];

/**
 * The rooms that query the database: db/, the domain and the outbox. Only they import drizzle-orm, a driver or
 * db/client.ts (the composition root and connect.ts open the database and hand it over). Others may import
 * db/schema.ts and db/vocabulary.ts for row types and the shared words.
 */
const QUERYING_ROOMS: readonly string[] = [
  'db/',
  'chats/',
  'merchants/',
  'invoices/',
  'products/',
  'access/',
  'notify/',
  'connect.ts',
  'app/',
];
const DATABASE_PACKAGE = /^(drizzle-orm|postgres|@electric-sql\/pglite)(\/|$)/;

const SRC = path.resolve(import.meta.dirname, '../src');
const LEVEL_OF = new Map(LEVELS.flatMap((rooms, level) => rooms.map((room) => [room, level] as const)));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `bot/` for src/bot/features/pay.ts, `config.ts` for src/config.ts; undefined outside src/. */
function roomOf(file: string): string | undefined {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [first, ...rest] = relative.split(path.sep);
  return rest.length > 0 ? `${first}/` : first;
}

/** Every module specifier: `from '…'` (imports, re-exports, multi-line too), `import '…'`, `import('…')`. */
function importsOf(text: string): string[] {
  const specifiers = [...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)];
  return specifiers.map((match) => match[1] ?? match[2] ?? '');
}

function relativeImports(text: string): string[] {
  return importsOf(text).filter((specifier) => specifier.startsWith('.'));
}

/** src/db/client.ts for `../db/client.js` imported by `file`: sources import each other by their built name. */
function resolveImport(file: string, specifier: string): string {
  return path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
}

interface Violation {
  file: string;
  imports: string;
  why: string;
}

function violations(): Violation[] {
  const found: Violation[] = [];
  for (const file of sourceFiles(SRC)) {
    const name = path.relative(SRC, file);
    const room = roomOf(file) ?? '';
    const level = LEVEL_OF.get(room);
    if (level === undefined) {
      found.push({ file: name, imports: '', why: `${room} is in no level: add it to LEVELS and the docs` });
      continue;
    }
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      // locales/*.ftl are the texts of i18n/ (level 1); the page bundles them (pageBoundaryViolations checks where).
      if (specifier.endsWith('.ftl')) continue;
      const target = resolveImport(file, specifier);
      const targetRoom = roomOf(target);
      if (targetRoom === room) continue;
      const targetLevel = targetRoom === undefined ? undefined : LEVEL_OF.get(targetRoom);
      if (targetLevel === undefined) {
        found.push({ file: name, imports: specifier, why: 'a module outside the declared rooms' });
      } else if (targetLevel > level) {
        found.push({ file: name, imports: specifier, why: `${room} (level ${level + 1}) → higher ${targetRoom}` });
      } else if (targetLevel === level) {
        found.push({ file: name, imports: specifier, why: `${room} → ${targetRoom}, a room on the same level` });
      }
    }
  }
  return found;
}

/** Files outside QUERYING_ROOMS that import a database package or db/client.ts. */
function queriesOutsideTheirRooms(): Violation[] {
  const client = path.join(SRC, 'db/client.ts');
  return sourceFiles(SRC).flatMap((file) => {
    if (QUERYING_ROOMS.includes(roomOf(file) ?? '')) return [];
    const database = importsOf(readFileSync(file, 'utf8')).filter(
      (specifier) =>
        DATABASE_PACKAGE.test(specifier) || (specifier.startsWith('.') && resolveImport(file, specifier) === client),
    );
    const name = path.relative(SRC, file);
    return database.map((specifier) => ({
      file: name,
      imports: specifier,
      why: 'database code outside db/ and the domain',
    }));
  });
}

/**
 * The dashboard page's source (src/miniapp/page/) runs in the browser, bundled by esbuild: it imports only its own
 * folder, npm packages and the locales' .ftl texts, and no server file imports it.
 */
const PAGE = path.join(SRC, 'miniapp/page');
function pageBoundaryViolations(): Violation[] {
  const inPage = (file: string) => file.startsWith(`${PAGE}${path.sep}`);
  return sourceFiles(SRC).flatMap((file) =>
    relativeImports(readFileSync(file, 'utf8'))
      .filter((specifier) => {
        const target = resolveImport(file, specifier);
        if (inPage(file)) return !inPage(target) && !/\/locales\/[a-z]+\/[\w-]+\.ftl$/.test(target);
        return inPage(target);
      })
      .map((specifier) => ({
        file: path.relative(SRC, file),
        imports: specifier,
        why: inPage(file) ? 'the page imports only its own folder' : 'server code imports the browser page',
      })),
  );
}

describe('rooms', () => {
  it('reads the imports it checks', () => {
    const imports = relativeImports(
      "import a from './a.js';\nimport {\n  b,\n} from '../b.js';\nexport * from './c.js';\nimport './d.js';\nconst e = await import('./e.js');\nimport x from 'grammy';",
    );
    expect(imports).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
    expect(roomOf(path.join(SRC, 'bot/features/pay.ts'))).toBe('bot/');
    expect(roomOf(path.join(SRC, 'config.ts'))).toBe('config.ts');
    expect(resolveImport(path.join(SRC, 'bot/bot.ts'), '../db/client.js')).toBe(path.join(SRC, 'db/client.ts'));
  });

  it('no file imports from a higher room or a sibling room', () => {
    expect(violations()).toEqual([]);
  });

  it("the dashboard page (miniapp/page/) and the server never import each other's files", () => {
    expect(sourceFiles(PAGE).length).toBeGreaterThan(3);
    expect(pageBoundaryViolations()).toEqual([]);
  });

  it('only db/, the domain and the outbox query the database', () => {
    expect(queriesOutsideTheirRooms()).toEqual([]);
  });

  it('every folder and file of src/ is a declared room, each declared once', () => {
    const present = new Set(sourceFiles(SRC).map((file) => roomOf(file)));
    const declared = LEVELS.flat();
    expect(new Set(declared).size).toBe(declared.length);
    expect([...present].sort()).toEqual([...declared].sort());
  });

  it("docs/architecture.md's Rooms table lists the rooms in this order", () => {
    const doc = readFileSync(path.resolve(SRC, '../docs/architecture.md'), 'utf8');
    const table = doc.split('## Rooms')[1]?.split('\n## ')[0] ?? '';
    // First column of each row: the level; second: `src/<room>` (a room with its locales, e.g. `src/i18n/` + …).
    const rows = [...table.matchAll(/^\| (\d+) \| `src\/([^`]+)`/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(LEVELS.flatMap((rooms, level) => rooms.map((room) => [level + 1, room])));
  });
});
