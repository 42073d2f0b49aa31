// skopeo command lines as scripts write them (from skopeo's man pages and its system
// tests), run through bin/ferry against a real registry: the exit status scripts test,
// and the output they parse, compared with skopeo 1.9.3's own where the two agree.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, oneLineError, runFerry, type FerryRun } from '../support/ferry-cli.js';
import { buildImage, buildIndex, pushWithSkopeo, type BuiltImage, type BuiltIndex } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { isSkopeoError, skopeo } from '../support/skopeo.js';

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr?: string;
}

async function skopeoRun(args: string[]): Promise<ToolRun> {
  try {
    return { code: 0, stdout: await skopeo(args) };
  } catch (e) {
    if (isSkopeoError(e)) return { code: e.exitCode, stdout: e.stdout, stderr: e.stderr };
    throw e;
  }
}

let registry: RunningRegistry;
let image: BuiltImage;
let multi: BuiltIndex;
let work: string;
let policy: string;
const at = (repoRef: string): string => `docker://${registry.ref(repoRef)}`;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
  work = await scratchDir('skopeo-scripts');
  policy = join(work, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  image = await buildImage({
    labels: { version: '1.2.3', 'org.opencontainers.image.title': 'demo app', maintainer: 'ops <ops@example.com>' },
    env: ['PATH=/usr/bin', 'MODE=prod'],
    layers: [{ files: { 'etc/one': '1\n' } }, { files: { 'etc/two': '2\n' } }],
  });
  multi = await buildIndex(['linux/amd64', 'linux/arm64']);
  await pushWithSkopeo(image, registry, 'app:v1');
  await pushWithSkopeo(image, registry, 'app:latest');
  await pushWithSkopeo(multi.layoutPath, registry, 'multi:1');
  await pushWithSkopeo(await buildImage({ layers: [{ files: { gone: 'soon\n' } }] }), registry, 'doomed:1');
});
afterAll(() => registry?.stop());

/** `--tls-verify=false` is what skopeo needs for a plain-HTTP registry; ferry takes it as well. */
const TLS = '--tls-verify=false';

describe('inspect --format templates print what skopeo prints', () => {
  it.each([
    '{{.Digest}}',
    '{{.Name}}@{{.Digest}}',
    'Name: {{.Name}} Digest: {{.Digest}}',
    '{{range .RepoTags}}{{.}} {{end}}',
    '{{index .Labels "version"}}',
    '{{.Labels.version}} {{.Labels.nope}}',
    '{{.Architecture}}/{{.Os}}',
    '{{len .Layers}}',
    '{{if .Labels.version}}v{{.Labels.version}}{{else}}unversioned{{end}}',
    '{{range .Env}}{{.}};{{end}}',
    '{{.Created}}',
    '{{.RepoTags}} {{.Layers}}',
    '{{.Labels}}',
    '{{printf "%s has %d layers" .Name (len .Layers)}}',
    '{{range $i, $d := .Layers}}{{$i}}={{$d}},{{end}}',
    '{{with .Labels.version}}[{{.}}]{{else}}-{{end}}',
  ])('%s', async (template) => {
    const args = ['inspect', TLS, '--format', template, at('app:v1')];
    const [ferry, theirs] = await Promise.all([runFerry(args), skopeoRun(args)]);
    expect(theirs.code, `skopeo ${args.join(' ')}: ${theirs.stderr ?? ''}`).toBe(0);
    expect(ferry.code, describeRun(ferry)).toBe(0);
    expect(ferry.stdout).toBe(theirs.stdout);
    expect(ferry.stderr).toBe('');
  });

  // skopeo 1.9.3 predates these functions and fields (skopeo 1.22 has them); the expected
  // text follows Go's rules: json sorts map keys, a list prints as [a b]
  it.each([
    ['{{json .Labels}}', () => '{"maintainer":"ops <ops@example.com>","org.opencontainers.image.title":"demo app","version":"1.2.3"}'],
    ['{{json .Layers}}', () => JSON.stringify(image.layers.map((l) => l.digest))],
    ['{{join .Env ","}}', () => 'PATH=/usr/bin,MODE=prod'],
    ['{{if .Variant}}{{.Variant}}{{else}}none{{end}}', () => 'none'],
    ['{{range $i, $l := .LayersData}}{{$i}}:{{$l.Digest}}:{{$l.Size}}\\n{{end}}', () => image.layers.map((l, i) => `${i}:${l.digest}:${l.size}\n`).join('')],
    ['  {{- .Os}}\\t{{upper .Architecture}}', () => 'linux\tAMD64'],
  ])('%s (newer skopeo)', async (template, expected) => {
    const run = await runFerry(['inspect', TLS, '--format', template, at('app:v1')]);
    expect(run.code, describeRun(run)).toBe(0);
    // the newline skopeo adds after a template that does not end with one
    expect(run.stdout).toBe(`${expected()}\n`);
  });

  it('a construct ferry does not support is one line naming it, exit 1, before any request', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['inspect', '--format', '{{template "x"}}', at('app:v1')]);
    expect(oneLineError(run)).toBe('ferry: [ERR_USAGE] --format template, column 3: "{{template}}" is not supported (ferry\'s subset: fields, variables, if/else, range, with, functions; see docs/inspect.md)');
    expect(run.code).toBe(1);
    expect(await registry.accessLog(mark)).toEqual([]);
  });
});

describe('command lines from skopeo scripts', () => {
  async function same(args: string[], check: (ferry: FerryRun, theirs: ToolRun) => void | Promise<void>): Promise<void> {
    const [ferry, theirs] = await Promise.all([runFerry(args), skopeoRun(args)]);
    await check(ferry, theirs);
  }

  it('inspect docker://…: the same JSON as skopeo', async () => {
    await same(['inspect', TLS, at('app:v1')], (ferry, theirs) => {
      expect(ferry.code, describeRun(ferry)).toBe(0);
      const [mine, skopeos] = [JSON.parse(ferry.stdout) as Record<string, unknown>, JSON.parse(theirs.stdout) as Record<string, unknown>];
      for (const key of Object.keys(skopeos)) {
        if (key === 'RepoTags') expect((mine[key] as string[]).sort()).toEqual((skopeos[key] as string[]).sort());
        else expect(mine[key], key).toEqual(skopeos[key]);
      }
      // what 1.9.3 lacks and later versions print
      expect(Object.keys(mine).filter((k) => !(k in skopeos))).toEqual(['LayersData']);
    });
  });

  it('inspect --raw, --config and --no-tags: byte for byte / the same JSON', async () => {
    await same(['inspect', '--raw', TLS, at('app:v1')], (ferry, theirs) => {
      expect(ferry.code).toBe(0);
      expect(ferry.stdout).toBe(theirs.stdout);
      expect(ferry.stdout).toBe(image.manifestBytes.toString('utf8'));
    });
    await same(['inspect', '--config', TLS, at('app:v1')], (ferry, theirs) => {
      expect(ferry.code).toBe(0);
      expect(JSON.parse(ferry.stdout)).toEqual(JSON.parse(theirs.stdout));
    });
    await same(['inspect', '-n', TLS, '--format', '{{len .RepoTags}}', at('app:v1')], (ferry, theirs) => {
      expect(ferry.stdout).toBe('0\n');
      expect(ferry.stdout).toBe(theirs.stdout);
    });
  });

  it('global flags where skopeo takes them: --policy, --registries.d, --override-arch, --command-timeout', async () => {
    const args = ['--policy', policy, '--registries.d', work, '--override-arch', 'arm64', '--command-timeout', '1m', 'inspect', TLS, '--format', '{{.Architecture}} {{.Digest}}', at('multi:1')];
    await same(args, (ferry, theirs) => {
      expect(ferry.code, describeRun(ferry)).toBe(0);
      expect(ferry.stdout).toBe(`arm64 ${multi.digest}\n`);
      expect(ferry.stdout).toBe(theirs.stdout);
    });
  });

  it('list-tags docker://…: the same tags', async () => {
    await same(['list-tags', TLS, at('app')], (ferry, theirs) => {
      expect(ferry.code).toBe(0);
      const tags = (out: string) => (JSON.parse(out) as { Tags: string[] }).Tags.sort();
      expect(tags(ferry.stdout)).toEqual(['latest', 'v1']);
      expect(tags(ferry.stdout)).toEqual(tags(theirs.stdout));
    });
  });

  it('copy docker://… oci:…, then copy --all of an index, keep the digests', async () => {
    const layout = join(work, 'layout');
    const copy = await runFerry(['copy', '--quiet', '--src-tls-verify=false', at('app:v1'), `oci:${layout}:v1`]);
    expect(copy.code, describeRun(copy)).toBe(0);
    expect(copy.stdout).toBe(`${image.digest}\n`);
    expect((await skopeo(['inspect', '--format', '{{.Digest}}', `oci:${layout}:v1`])).trim()).toBe(image.digest);

    const all = await runFerry(['copy', '--all', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', at('multi:1'), at('multi-copy:1')]);
    expect(all.code, describeRun(all)).toBe(0);
    expect((await skopeo(['inspect', '--raw', TLS, at('multi-copy:1')]))).toBe(multi.indexBytes.toString('utf8'));
  });

  it('delete, then inspect of what was deleted exits 2 (the status skopeo >= 1.16 gives)', async () => {
    const digest = (await runFerry(['inspect', TLS, '--format', '{{.Digest}}', at('doomed:1')])).stdout.trim();
    const del = await runFerry(['delete', TLS, at(`doomed@${digest}`)]);
    expect(del.code, describeRun(del)).toBe(0);
    const gone = await runFerry(['inspect', TLS, at('doomed:1')]);
    expect(oneLineError(gone)).toMatch(/^ferry: \[ERR_NOT_FOUND\] .*HTTP 404 MANIFEST_UNKNOWN/);
    expect(gone.code).toBe(2);
  });

  it.each([
    ['a missing tag', ['inspect', TLS, '@/app:nope']],
    ['a missing repository', ['inspect', TLS, '@/nothing:v1']],
    ['a missing tag, raw', ['inspect', '--raw', TLS, '@/app:nope']],
    ['a missing digest', ['inspect', TLS, `@/app@sha256:${'0'.repeat(64)}`]],
    ['a missing layout', ['inspect', 'oci:/nonexistent/layout:v1']],
  ])('%s exits 2 (skopeo 1.9.3 exits 1 for every failure)', async (_name, args) => {
    const run = await runFerry(args.map((a) => a.replace('@/', `docker://${registry.host}/`)));
    expect(oneLineError(run)).toMatch(/^ferry: \[ERR_NOT_FOUND\] /);
    expect(run.code).toBe(2);
  });

  it('an unknown flag exits 1, as in skopeo', async () => {
    await same(['inspect', '--no-such-flag', at('app:v1')], (ferry, theirs) => {
      expect(oneLineError(ferry)).toBe("ferry: [ERR_USAGE] unknown option '--no-such-flag'");
      expect(ferry.code).toBe(1);
      expect(theirs.code).toBe(1);
    });
  });

  it('copy --sign-by exits 1 with "not supported" and writes nothing', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['copy', '--sign-by', 'ABCDEF0123456789', '--src-tls-verify=false', at('app:v1'), `oci:${join(work, 'signed')}:v1`]);
    expect(oneLineError(run)).toBe('ferry: [ERR_UNSUPPORTED] --sign-by: not supported: ferry does not sign images; sign the copy afterwards (cosign sign, notation sign)');
    expect(run.code).toBe(1);
    expect(await registry.accessLog(mark)).toEqual([]);
  });

  it('a bad number is one line naming the flag, exit 1, with no request (it used to retry forever)', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['inspect', TLS, '--retry-times', 'x', at('app:v1')]);
    expect(oneLineError(run)).toBe('ferry: [ERR_USAGE] --retry-times takes a whole number of 0 or more, not "x"');
    expect(run.code).toBe(1);
    expect(await registry.accessLog(mark)).toEqual([]);
  });
});
