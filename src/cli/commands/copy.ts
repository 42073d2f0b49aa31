import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { CopyOptions, MultiArch } from '../../copy/options.js';
import { UsageError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import type { ProgressMode } from '../progress/renderers.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { session, type CommandContext } from './context.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';

function positiveInt(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of 1 or more, not "${String(value)}"`);
  return n;
}

/** Flags → CopyOptions, every check in one place. */
export function copyOptionsFrom(opts: Record<string, unknown>): CopyOptions {
  const out: CopyOptions = {};
  const all = opts['all'] === true;
  const multiArch = opts['multiArch'] as MultiArch | undefined;
  if (all && multiArch && multiArch !== 'all') throw new UsageError('--all contradicts --multi-arch ' + multiArch);
  out.multiArch = all ? 'all' : (multiArch ?? 'all');
  if (typeof opts['platform'] === 'string') out.platforms = opts['platform'].split(',').filter(Boolean).map(parsePlatform);
  const format = opts['format'];
  if (format === 'oci' || format === 'v2s2') out.format = format;
  if (opts['preserveDigests']) out.preserveDigests = true;
  const cf = opts['destCompressFormat'];
  if (cf === 'gzip' || cf === 'zstd') {
    const level = opts['destCompressLevel'] === undefined ? undefined : Number(opts['destCompressLevel']);
    if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > (cf === 'gzip' ? 9 : 22))) {
      throw new UsageError(`--dest-compress-level for ${cf} must be 1–${cf === 'gzip' ? 9 : 22}, not "${String(opts['destCompressLevel'])}"`);
    }
    out.compression = { format: cf, ...(level ? { level } : {}), force: opts['destForceCompressFormat'] === true };
  } else if (opts['destCompressLevel'] !== undefined || opts['destForceCompressFormat']) {
    throw new UsageError('--dest-compress-level and --dest-force-compress-format need --dest-compress-format');
  }
  const jobs = positiveInt('--jobs', opts['jobs']);
  if (jobs) out.jobs = jobs;
  return out;
}

export function copyCommand(ctx: CommandContext): Command {
  const cmd = new Command('copy')
    .description('copy an image, index or artifact between registries and local layouts (every platform by default)')
    .argument('<source>', 'docker://REF, oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or dir:PATH')
    .argument('<destination>', 'same forms as the source')
    .option('-a, --all', 'copy every platform of an index (the default; kept for skopeo compatibility)')
    .addOption(new Option('--multi-arch <mode>', 'all: the whole index; system: only the host platform; index-only: only the index').choices(['all', 'system', 'index-only']))
    .option('--platform <list>', 'copy only these platforms (os/arch[/variant],...) and write an index of just them')
    .addOption(new Option('-f, --format <format>', 'convert manifests').choices(['oci', 'v2s2']))
    .option('--preserve-digests', 'fail rather than change any manifest digest')
    .addOption(new Option('--dest-compress-format <format>', 'recompress layers').choices(['gzip', 'zstd']))
    .option('--dest-compress-level <n>', 'compression level (gzip 1-9, zstd 1-22)')
    .option('--dest-force-compress-format', 'recompress layers already in the target format')
    .option('-j, --jobs <n>', 'blobs copied at once (default 6)')
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json']).default('auto'))
    .option('-q, --quiet', 'no progress output')
    .option('--digestfile <path>', 'write the destination manifest digest to this file')
    .option('--retry-times <n>', 'retries for transient failures')
    .option('--remove-signatures', 'accepted for skopeo compatibility (ferry copies no signatures)');
  addCacheFlag(cmd);
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  addStallTimeoutFlag(cmd);
  return cmd.action(async (src: string, dst: string, opts: Record<string, unknown>) => {
    const stall = stallTimeoutFrom(opts);
    // loaded on use: start-up pays only for the command that runs
    const { copy } = await import('../../copy/copy.js');
    const { makeRenderer } = await import('../progress/renderers.js');
    const mode: ProgressMode = opts['quiet'] ? 'quiet' : (opts['progress'] as ProgressMode);
    const renderer = await makeRenderer(mode, ctx.stdout, ctx.stderr);
    try {
      const result = await copy(src, dst, {
        ...copyOptionsFrom(opts),
        ...session(ctx, opts),
        ...stall,
        ...cacheOptions(opts),
        src: sideOptions(opts, 'src-'),
        dest: sideOptions(opts, 'dest-'),
        ...(renderer ? { onEvent: renderer.sink } : {}),
      });
      renderer?.stop();
      if (typeof opts['digestfile'] === 'string') await writeFile(opts['digestfile'], result.digest);
      if (mode !== 'json') ctx.stdout.write(`${result.digest}\n`);
    } catch (e) {
      renderer?.stop();
      throw e;
    }
  });
}
