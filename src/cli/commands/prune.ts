import { Command, Option } from 'commander';
import { addSideFlags, sideOptions } from './flags.js';
import { addRetryFlags, session, type CommandContext } from './context.js';
import { integerFlag } from './number-flags.js';

export function pruneCommand(ctx: CommandContext): Command {
  const cmd = new Command('prune')
    .description('delete old tags of a repository by rule (tag-only); prints the plan and changes nothing without --yes')
    .argument('<repository>', 'docker://REGISTRY/REPOSITORY (no tag)')
    .addOption(new Option('--keep-last <n>', 'keep the newest N candidates (by version when the tags are versions, else by image creation date)').argParser(integerFlag('--keep-last', { min: 0 })))
    .option('--older-than <duration>', 'delete only candidates created longer ago than this (90d, 12h, 2w, 1d12h)')
    .option('--tags <regex>', 'candidates: tags this regular expression matches in full')
    .option('--semver <range>', 'candidates: tags that are versions in this range (1.2.3_build is 1.2.3+build)')
    .option('--archive <destination>', 'copy each tag here before deleting it: docker://REG/REPO, oci:PATH, oci-archive:PATH-{tag}.tar')
    .option('--yes', 'delete; without it, only print the plan')
    .option('-q, --quiet', 'print nothing but errors');
  addRetryFlags(cmd);
  addSideFlags(cmd, '');
  addSideFlags(cmd, 'dest-');
  return cmd.action(async (repository: string, opts: Record<string, unknown>) => {
    const { prune } = await import('../../prune/prune.js');
    const quiet = opts['quiet'] === true;
    const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
    const keepLast = opts['keepLast'] as number | undefined;
    const result = await prune(repository, {
      ...session(ctx, opts),
      ...sideOptions(opts, ''),
      archiveSide: sideOptions(opts, 'dest-'),
      ...(keepLast !== undefined ? { keepLast } : {}),
      ...(str('olderThan') !== undefined ? { olderThan: str('olderThan')! } : {}),
      ...(str('tags') !== undefined ? { tags: str('tags')! } : {}),
      ...(str('semver') !== undefined ? { semver: str('semver')! } : {}),
      ...(str('archive') !== undefined ? { archive: str('archive')! } : {}),
      ...(opts['yes'] ? { yes: true } : {}),
      onDeleted: (tag, archivedTo) => {
        if (!quiet) ctx.stdout.write(`deleted ${tag}${archivedTo ? ` (archived to ${archivedTo})` : ''}\n`);
      },
    });
    if (result.applied || quiet) return;
    for (const d of result.decisions) ctx.stdout.write(`${d.action === 'delete' ? 'would delete' : 'keep'} ${d.tag} (${d.reason})\n`);
    const n = result.decisions.filter((d) => d.action === 'delete').length;
    ctx.stderr.write(`ferry: prune plan for ${result.repository}: ${n} to delete, ${result.decisions.length - n} to keep; nothing changed (run with --yes to delete)\n`);
  });
}
