// Runs once, in the main vitest process, before the suite. In CI a machine
// without the registry or skopeo must fail the run, never skip the
// integration tests; locally the same check warns, and every test that
// starts a registry fails with the same message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRATCH_ENV } from './scratch.js';
import { MissingToolError, missingTools } from './tools.js';

export default function setup(): () => void {
  const missing = missingTools();
  if (missing.length > 0) {
    const error = new MissingToolError(missing);
    if (process.env.CI) throw error;
    process.stderr.write(`\nWARNING: ${error.message}\nIntegration tests will fail.\n\n`);
  }
  // Workers are forked after this and inherit the variable.
  const root = mkdtempSync(join(tmpdir(), 'ferry-test-run-'));
  process.env[SCRATCH_ENV] = root;
  return () => {
    if (!process.env.FERRY_TEST_KEEP_DIRS) rmSync(root, { recursive: true, force: true });
  };
}
