import { describe, expect, it } from 'vitest';
import type { LintContext } from '../../../src/lint/finding.js';
import { rules } from '../../../src/lint/rules/index.js';
import { rootUser } from '../../../src/lint/rules/root-user.js';
import { secretEnv } from '../../../src/lint/rules/secret-env.js';
import { shellEntrypoint } from '../../../src/lint/rules/shell-entrypoint.js';
import { defaultThresholds } from '../../../src/lint/thresholds.js';
import { MergedTree } from '../../../src/layers/merged-tree.js';

function ctx(runConfig: Record<string, unknown>, history: string[] = []): LintContext {
  return {
    config: { config: runConfig },
    runConfig,
    history: history.map((createdBy) => ({ createdBy, emptyLayer: true })),
    layers: [],
    tree: new MergedTree(),
    report: { location: 'x', digest: 'sha256:0', rows: [], total: { layers: 0, compressedSize: 0, uncompressedSize: 0, files: 0, addedBytes: 0, wastedBytes: 0 }, efficiency: 1 },
    sniffed: new Map(),
    thresholds: defaultThresholds,
  };
}

describe('lint rules', () => {
  it('have unique ids, a summary and a fix', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(r.summary.length > 20 && r.fix.length > 20, r.id).toBe(true);
  });

  it('root-user: empty, root and uid 0 are root; a name or another uid is not', () => {
    for (const user of ['', 'root', '0', '0:0', 'root:staff']) expect(rootUser.check(ctx({ User: user })), user).toHaveLength(1);
    for (const user of ['app', '10001', '10001:0', 'nobody']) expect(rootUser.check(ctx({ User: user })), user).toHaveLength(0);
  });

  it('shell-entrypoint: shell form only, unless an init is the entrypoint', () => {
    expect(shellEntrypoint.check(ctx({ Cmd: ['/bin/sh', '-c', 'node server.js'] }))).toHaveLength(1);
    expect(shellEntrypoint.check(ctx({ Entrypoint: ['/bin/bash', '-c', 'x'] }))).toHaveLength(1);
    expect(shellEntrypoint.check(ctx({ Cmd: ['bash'] }))).toHaveLength(0);
    expect(shellEntrypoint.check(ctx({ Entrypoint: ['dumb-init', '--'], Cmd: ['/bin/sh', '-c', 'x'] }))).toHaveLength(0);
    expect(shellEntrypoint.check(ctx({ Entrypoint: ['/app'], Cmd: ['/bin/sh', '-c', 'x'] }))).toHaveLength(0);
  });

  it('secret-env: by name or by value, never the value; placeholders and _FILE are fine', () => {
    const found = secretEnv.check(ctx({ Env: ['GITHUB_TOKEN=ghp_' + 'a'.repeat(36), 'URL=postgres://u:p4ss@db/x', 'API_KEY=', 'DB_PASSWORD_FILE=/run/secrets/db', 'HOME=/root', 'TOKEN=${TOKEN}'] }));
    expect(found.map((f) => f.location.configKey)).toEqual(['config.Env[0]', 'config.Env[1]']);
    expect(JSON.stringify(found)).not.toContain('p4ss');
    expect(JSON.stringify(found)).not.toContain('ghp_');
    const args = secretEnv.check(ctx({}, ['|2 VERSION=1 SECRET_KEY=s3cr3t /bin/sh -c make']));
    expect(args.map((f) => f.location.configKey)).toEqual(['history[0]']);
    expect(JSON.stringify(args)).not.toContain('s3cr3t');
  });
});
