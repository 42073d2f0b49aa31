// Reliability contract of the CLI on bad days: a host that does not exist fails at
// once, and the stall timeout flag is checked at the edge.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRun, oneLineError, runFerry } from '../support/ferry-cli.js';
import { scratchDir } from '../support/scratch.js';

describe('a host that does not resolve', () => {
  it('fails after one attempt, with one line naming the host', async () => {
    const out = join(await scratchDir('dns'), 'layout');
    const run = await runFerry(['--debug', 'copy', '--quiet', 'docker://no-such-host.invalid/x:1', `oci:${out}:1`]);
    expect(run.code, describeRun(run)).not.toBe(0);
    const attempts = run.stderrLines.filter((l) => /HTTP GET https?:\/\/no-such-host\.invalid\/v2\/ failed/.test(l));
    expect(attempts, describeRun(run)).toHaveLength(1);
    expect(run.stderrLines.some((l) => /^DEBU\[ferry\] retry/.test(l))).toBe(false);
    const plain = await runFerry(['copy', '--quiet', 'docker://no-such-host.invalid/x:1', `oci:${out}:1`]);
    expect(plain.code).not.toBe(0);
    expect(oneLineError(plain)).toBe('ferry: [ERR_NETWORK] reading manifest docker://no-such-host.invalid/x:1: cannot reach no-such-host.invalid (GET /v2/): host name does not resolve (getaddrinfo ENOTFOUND no-such-host.invalid)');
  });
});

describe('--stall-timeout', () => {
  it.each([['0'], ['-1'], ['soon'], ['']])('refuses %j with one line', async (value) => {
    for (const command of [['copy', 'oci:/nowhere:a', 'oci:/nowhere-else:a'], ['sync', 'oci:/nowhere', 'oci:/nowhere-else'], ['manifest-merge', '--target', 'docker://127.0.0.1:1/a:b', 'oci:/nowhere:a']]) {
      const run = await runFerry([...command, '--stall-timeout', value]);
      expect(oneLineError(run)).toBe(`ferry: [ERR_USAGE] --stall-timeout takes a positive number of seconds, not "${value}"`);
    }
  });
});
