import { mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Where tests keep PGlite data directories: in memory (Linux's tmpfs at /dev/shm) when it has room, the OS temp
// directory otherwise. PGlite is the same either way; the disk is not. A test database starts as a copy of the
// template (39 MB in ~1,000 files): about 1 s of system time on this machine's disk, 0.1 s on tmpfs, and the suite
// makes some 60 of them. A container's /dev/shm is often 64 MB, hence the check for room.

const TMPFS = '/dev/shm';
const ROOM_BYTES = 2 * 1024 ** 3;

function hasRoom(path: string): boolean {
  try {
    const fs = statfsSync(path);
    return fs.bavail * fs.bsize >= ROOM_BYTES;
  } catch {
    return false; // no tmpfs here (macOS, Windows)
  }
}

const ROOT = hasRoom(TMPFS) ? TMPFS : tmpdir();

/** A new empty directory (mode 0700) for a test to remove when done. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(ROOT, prefix));
}
