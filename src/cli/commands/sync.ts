import { Command, Option } from 'commander';
import { MAX_JOBS } from '../../copy/options.js';
import { copyOptionsFrom } from './copy.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';
import { session, type CommandContext } from './context.js';
import { integerFlag } from './number-flags.js';

export function syncCommand(ctx: CommandContext): Command {
  const cmd = new Command('sync')
    .description('copy every tag of a repository (images, indexes, Helm charts) to another, byte for byte')
    .argument('<source>', 'docker://REGISTRY/REPOSITORY or oci:PATH (no tag)')
    .argument('<destination>', 'docker://REGISTRY/REPOSITORY or oci:PATH (no tag)')
    .option('--tags <regex>', 'only tags this regular expression matches in full')
    .addOption(new Option('-j, --jobs <n>', 'blobs copied at once per image (default 6)').argParser(integerFlag('--jobs', { min: 1, max: MAX_JOBS })))
    .option('-q, --quiet', 'print nothing but errors')
    .addOption(new Option('--retry-times <n>', 'retries for transient failures').argParser(integerFlag('--retry-times', { min: 0 })));
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  addCacheFlag(cmd);
  addStallTimeoutFlag(cmd);
  return cmd.action(async (src: string, dst: string, opts: Record<string, unknown>) => {
    const stall = stallTimeoutFrom(opts);
    // loaded on use: start-up pays only for the command that runs
    const { syncRepository } = await import('../../sync/sync.js');
    const quiet = opts['quiet'] === true;
    const result = await syncRepository(src, dst, {
      ...copyOptionsFrom({ jobs: opts['jobs'] }),
      ...session(ctx, opts),
      ...stall,
      ...cacheOptions(opts),
      src: sideOptions(opts, 'src-'),
      dest: sideOptions(opts, 'dest-'),
      ...(typeof opts['tags'] === 'string' ? { tags: opts['tags'] } : {}),
      onTag: (t) => {
        if (!quiet) ctx.stdout.write(`${t.tag} ${t.digest}${t.noop ? ' (unchanged)' : ''}\n`);
      },
    });
    if (!quiet && result.synced.length === 0) ctx.stderr.write(`ferry: no tag of ${result.source} to sync${result.skipped.length ? ` (${result.skipped.length} left out by --tags)` : ''}\n`);
  });
}
