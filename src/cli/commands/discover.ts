import { Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { addSideFlags, sideOptions } from './flags.js';
import { addRetryFlags, session, writeJson, type CommandContext } from './context.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function discoverCommand(ctx: CommandContext): Command {
  const cmd = new Command('discover')
    .description('show what is attached to an image: signatures, attestations, SBOMs (OCI referrers and cosign tags), as a tree or JSON')
    .argument('<location>', 'docker://REF, oci:PATH[:REF] or oci-archive:PATH[:REF]')
    .option('-f, --format <format>', 'tree (default) or json', 'tree')
    .addOption(new Option('--artifact-type <type>', 'only referrers of this artifact type (repeatable); cosign tags count by what they hold').argParser(collect));
  addRetryFlags(cmd);
  addSideFlags(cmd, '');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    const format = String(opts['format']);
    if (format !== 'tree' && format !== 'json') throw new UsageError(`--format must be tree or json, not ${format}`);
    // loaded on use: start-up pays only for the command that runs
    const { discover } = await import('../../discover/discover.js');
    const { discoverJson, renderAttachmentTree } = await import('../render/attachment-tree.js');
    const types = opts['artifactType'] as string[] | undefined;
    const result = await discover(location, { ...session(ctx, opts), ...sideOptions(opts, ''), ...(types ? { artifactTypes: types } : {}) });
    if (format === 'json') writeJson(ctx, discoverJson(result));
    else ctx.stdout.write(renderAttachmentTree(result));
  });
}
