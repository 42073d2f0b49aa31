import { Command, Option } from 'commander';
import { FerryError } from '../../errors.js';
import { addSideFlags, sideOptions } from './flags.js';
import { session, writeJson, type CommandContext } from './context.js';

export function inspectCommand(ctx: CommandContext): Command {
  const cmd = new Command('inspect')
    .description('show an image, index or artifact without pulling it (skopeo inspect JSON by default)')
    .argument('<location>', 'docker://REF, oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or dir:PATH')
    .option('--raw', 'print the manifest bytes exactly as stored')
    .option('--config', 'print the image config JSON')
    .option('--digest', 'print only the manifest digest (one HEAD request on a registry)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('-n, --no-tags', 'do not list the repository tags')
    .option('--override-os <os>', 'pick this OS from an index')
    .option('--override-arch <arch>', 'pick this architecture from an index')
    .option('--override-variant <variant>', 'pick this variant from an index')
    .option('--retry-times <n>', 'retries for transient failures');
  addSideFlags(cmd, '');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { inspect, manifestDigest, rawManifestOf } = await import('../../inspect/inspect.js');
    const { renderTable } = await import('../render/inspect-table.js');
    const req = { ...session(ctx, opts), ...sideOptions(opts, '') };
    if (opts['digest']) {
      ctx.stdout.write(`${await manifestDigest(location, req)}\n`);
      return;
    }
    if (opts['raw'] && !opts['config']) {
      const raw = await rawManifestOf(location, req);
      ctx.stdout.write(Buffer.from(raw.bytes));
      return;
    }
    const platform = {
      ...(typeof opts['overrideOs'] === 'string' ? { os: opts['overrideOs'] } : {}),
      ...(typeof opts['overrideArch'] === 'string' ? { architecture: opts['overrideArch'] } : {}),
      ...(typeof opts['overrideVariant'] === 'string' ? { variant: opts['overrideVariant'] } : {}),
    };
    const result = await inspect(location, { ...req, platform, noTags: opts['tags'] === false || Boolean(opts['config']) });
    if (opts['config']) {
      if (!result.configBytes) throw new FerryError('ERR_UNSUPPORTED', `${location} has no JSON config to print`);
      if (opts['raw']) ctx.stdout.write(result.configBytes);
      else writeJson(ctx, JSON.parse(result.configBytes.toString('utf8')));
      return;
    }
    if (opts['format'] === 'table') ctx.stdout.write(`${renderTable(location, result)}\n`);
    else writeJson(ctx, result.skopeo);
  });
}
