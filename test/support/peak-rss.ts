// Peak RSS of one bin/ferry run: the whole process (worker threads included), as
// getrusage reports it at exit, recorded by a --require preload.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ferryOk } from './ferry-cli.js';

const PRELOAD = `'use strict';
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.FERRY_TEST_RUSAGE_FILE, JSON.stringify(process.resourceUsage()));
});
`;

/** Runs ferry with `args` (must succeed); its stdout, trimmed, and its peak RSS in bytes. */
export async function ferryPeakRss(work: string, name: string, args: string[]): Promise<{ stdout: string; peak: number }> {
  const preload = join(work, 'rusage-preload.cjs');
  const usageFile = join(work, `${name}-rusage.json`);
  await writeFile(preload, PRELOAD);
  const run = await ferryOk(args, {
    env: { NODE_OPTIONS: `--require ${preload}`, FERRY_TEST_RUSAGE_FILE: usageFile },
    timeoutMs: 170_000,
  });
  const usage = JSON.parse(await readFile(usageFile, 'utf8')) as NodeJS.ResourceUsage;
  return { stdout: run.stdout.trim(), peak: usage.maxRSS * 1024 };
}
