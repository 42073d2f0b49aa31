import { Command } from 'commander';
import { addSideFlags, sideOptions } from './flags.js';
import { addRetryFlags, session, writeJson, type CommandContext } from './context.js';

export function listTagsCommand(ctx: CommandContext): Command {
  const cmd = new Command('list-tags')
    .description('list the tags of a repository ({"Repository","Tags"} like skopeo; a docker-archive lists every image name it holds)')
    .argument('<location>', 'docker://REGISTRY/REPOSITORY, oci:PATH or docker-archive:PATH (plain or gzip/bzip2/xz/zstd)');
  addRetryFlags(cmd);
  addSideFlags(cmd, '');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { listTags } = await import('../../tags/list-tags.js');
    writeJson(ctx, await listTags(location, { ...session(ctx, opts), ...sideOptions(opts, '') }));
  });
}
