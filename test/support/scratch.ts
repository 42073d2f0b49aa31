// Where fixtures, registry storage and skopeo's config go. The global setup
// creates one root per run and removes it at the end, so layouts built by tests
// (which nobody deletes one by one) do not pile up in /tmp.
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCRATCH_ENV = 'FERRY_TEST_SCRATCH';
/** ferry's own variable naming its blob-location cache directory. */
export const BLOB_CACHE_ENV = 'FERRY_CACHE_DIR';

export function scratchRoot(): string {
  return process.env[SCRATCH_ENV] ?? tmpdir();
}

/** A new directory under the run's scratch root, named `ferry-<purpose>-XXXXXX`. */
export function scratchDir(purpose: string): Promise<string> {
  return mkdtemp(join(scratchRoot(), `ferry-${purpose}-`));
}

export function scratchDirSync(purpose: string): string {
  return mkdtempSync(join(scratchRoot(), `ferry-${purpose}-`));
}
