import { Command, Option } from 'commander';
import { FerryError, UsageError } from '../../errors.js';
import { refuseFlag } from './compat-flags.js';
import { addSideFlags, sideOptions } from './flags.js';
import { addRetryFlags, session, writeJson, type CommandContext } from './context.js';

/** skopeo's experimental --manifest-digest: ferry's digests are sha256, so only that is honest. */
function sha256Only(value: string): string {
  if (value !== 'sha256') throw new FerryError('ERR_UNSUPPORTED', `--manifest-digest: not supported: ${value} (ferry computes sha256 digests only)`);
  return value;
}

export function inspectCommand(ctx: CommandContext): Command {
  const cmd = new Command('inspect')
    .description('show an image, index or artifact without pulling it (skopeo inspect JSON by default)')
    .argument('<location>', 'docker://REF, oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or dir:PATH')
    .option('--raw', 'print the manifest bytes exactly as stored')
    .option('--config', 'print the image config JSON')
    .option('--digest', 'print only the manifest digest (one HEAD request on a registry)')
    .option('-f, --format <format>', 'json (default), table, or a Go template such as \'{{.Digest}}\' (docs/inspect.md)', 'json')
    .option('-n, --no-tags', 'do not list the repository tags')
    .addOption(new Option('--manifest-digest <algorithm>', 'digest algorithm for Digest (only sha256)').argParser(sha256Only));
  addRetryFlags(cmd);
  addSideFlags(cmd, '');
  refuseFlag(cmd, '--daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--shared-blob-dir <dir>', 'inspect reads oci: layouts with their own blobs folder only');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { inspect, manifestDigest, rawManifestOf } = await import('../../inspect/inspect.js');
    const { renderTable } = await import('../render/inspect-table.js');
    const { compileInspectTemplate, isJsonFormat } = await import('../render/inspect-template.js');
    const format = String(opts['format']);
    const template = format !== 'json' && format !== 'table' && !isJsonFormat(format);
    if (template && (opts['raw'] || opts['config'] || opts['digest'])) throw new UsageError('--format takes no template with --raw, --config or --digest');
    const render = template ? compileInspectTemplate(format) : undefined;
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
    const result = await inspect(location, { ...req, platform: ctx.platform ?? {}, noTags: opts['tags'] === false || Boolean(opts['config']) });
    if (opts['config']) {
      if (!result.configBytes) throw new FerryError('ERR_UNSUPPORTED', `${location} has no JSON config to print`);
      if (opts['raw']) ctx.stdout.write(result.configBytes);
      else writeJson(ctx, JSON.parse(result.configBytes.toString('utf8')));
      return;
    }
    if (format === 'table') ctx.stdout.write(`${renderTable(location, result)}\n`);
    else if (render) ctx.stdout.write(render(result.skopeo));
    else writeJson(ctx, result.skopeo);
  });
}
