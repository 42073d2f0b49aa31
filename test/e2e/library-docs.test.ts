// The TypeScript examples in docs/library.md, compiled with tsc against the built
// package as a program would import it ("ferry" resolved to this checkout's package.json
// exports and dist/*.d.ts), so the documentation cannot drift from the API.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Every ```ts block of a markdown file, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('docs/library.md examples', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('import only the public package', async () => {
    const blocks = tsBlocks(await readFile(join(ROOT, 'docs/library.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const specifiers = [...block.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(specifiers.every((s) => s === 'ferry'), block).toBe(true);
    }
  });

  it('compile with tsc --strict against the built package', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-docs-'));
    dirs.push(dir);
    const blocks = tsBlocks(await readFile(join(ROOT, 'docs/library.md'), 'utf8'));
    await mkdir(join(dir, 'node_modules'));
    await symlink(ROOT, join(dir, 'node_modules/ferry'), 'dir');
    await symlink(join(ROOT, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'dir');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'docs-examples', type: 'module', private: true }));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: true, types: ['node'] },
        include: ['*.ts'],
      }),
    );
    await Promise.all(blocks.map((code, i) => writeFile(join(dir, `example-${i + 1}.ts`), code)));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).then(
      () => ({ ok: true, out: '' }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.out).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);
});
