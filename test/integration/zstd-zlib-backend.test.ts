import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { cwd: root });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// The node:zlib zstd backend needs Node >= 22.15; CI runs Node 20, so the script fetches
// a newer Node from the npm registry and runs test/compat/zstd-zlib-roundtrip.mjs on the
// built dist/ (npm test builds first).
describe('zstd on the node:zlib backend', () => {
  it('round-trips and agrees with the zstd CLI under Node 22', async () => {
    const { code, output } = await run('scripts/test-zstd-zlib.sh');
    expect(output).toContain('backend zlib');
    expect(output).toContain('all checks passed');
    expect(code, output).toBe(0);
  }, 300_000);
});
