import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { MAX_COMPRESSION_LEVEL, MAX_JOBS, type CopyOptions, type MultiArch } from '../../copy/options.js';
import { FerryError, UsageError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import type { ProgressMode } from '../progress/renderers.js';
import { acceptNoOp, refuseFlag, refuseSigningFlags } from './compat-flags.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';
import { addRetryFlags, overridePlatform, session, type CommandContext } from './context.js';
import type { SideOptions } from '../../transport/open.js';
import { integerFlag } from './number-flags.js';
import { addAttachmentFlags, attachmentSelectionFrom } from './attachment-flags.js';

/** --jobs and skopeo's --image-parallel-copies are one setting; two different values are a mistake. */
function jobsFrom(opts: Record<string, unknown>): number | undefined {
  const jobs = opts['jobs'] as number | undefined;
  const parallel = opts['imageParallelCopies'] as number | undefined;
  if (jobs !== undefined && parallel !== undefined && jobs !== parallel) {
    throw new UsageError(`--jobs ${jobs} contradicts --image-parallel-copies ${parallel} (they are the same setting)`);
  }
  return jobs ?? parallel;
}

/** skopeo's spellings: --dest-compress alone means gzip; zstd:chunked is refused with the reason. */
function compressFormat(opts: Record<string, unknown>): 'gzip' | 'zstd' | undefined {
  const cf = opts['destCompressFormat'];
  if (cf === undefined) return opts['destCompress'] === true ? 'gzip' : undefined;
  if (cf === 'gzip' || cf === 'zstd') return cf;
  if (cf === 'zstd:chunked') throw new FerryError('ERR_UNSUPPORTED', '--dest-compress-format zstd:chunked: not supported: ferry writes plain zstd layers (use zstd)');
  throw new UsageError(`--dest-compress-format takes gzip or zstd, not "${String(cf)}"`);
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
  else if (format === 'v2s1') throw new FerryError('ERR_UNSUPPORTED', '--format v2s1: not supported: ferry does not write Docker schema 1 manifests (deprecated; use v2s2 or oci)');
  else if (format !== undefined) throw new UsageError(`--format takes oci or v2s2, not "${String(format)}"`);
  if (opts['preserveDigests']) out.preserveDigests = true;
  const cf = compressFormat(opts);
  if (cf) {
    const level = opts['destCompressLevel'] as number | undefined;
    if (level !== undefined && level > MAX_COMPRESSION_LEVEL[cf]) {
      throw new UsageError(`--dest-compress-level for ${cf} must be 1–${MAX_COMPRESSION_LEVEL[cf]}, not "${level}"`);
    }
    out.compression = { format: cf, ...(level ? { level } : {}), force: opts['destForceCompressFormat'] === true };
  } else if (opts['destCompressLevel'] !== undefined || opts['destForceCompressFormat']) {
    throw new UsageError('--dest-compress-level and --dest-force-compress-format need --dest-compress-format');
  }
  const jobs = jobsFrom(opts);
  if (jobs) out.jobs = jobs;
  if (typeof opts['retryDelay'] === 'number') out.retryDelayMs = opts['retryDelay'];
  const tags = opts['additionalTag'];
  if (Array.isArray(tags) && tags.length) out.additionalTags = tags as string[];
  const attachments = attachmentSelectionFrom(opts);
  if (Object.keys(attachments).length) out.attachments = attachments;
  return out;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** One side's settings: connection flags and the shared blob dir of an oci: layout. */
export function copySide(opts: Record<string, unknown>, prefix: 'src-' | 'dest-'): SideOptions {
  const side = sideOptions(opts, prefix);
  const shared = opts[prefix === 'src-' ? 'srcSharedBlobDir' : 'destSharedBlobDir'];
  return typeof shared === 'string' ? { ...side, sharedBlobDir: shared } : side;
}

export function copyCommand(ctx: CommandContext): Command {
  const cmd = new Command('copy')
    .description('copy an image, index or artifact between registries and local layouts (every platform by default)')
    .argument('<source>', 'docker://REF, oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or dir:PATH')
    .argument('<destination>', 'same forms as the source')
    .option('-a, --all', 'copy every platform of an index (the default; kept for skopeo compatibility)')
    .addOption(new Option('--multi-arch <mode>', 'all: the whole index; system: only the host platform; index-only: only the index').choices(['all', 'system', 'index-only']))
    .option('--platform <list>', 'copy only these platforms (os/arch[/variant],...) and write an index of just them')
    .addOption(new Option('-f, --format <format>', 'convert manifests: oci or v2s2'))
    .option('--preserve-digests', 'fail rather than change any manifest digest')
    .addOption(new Option('--dest-compress-format <format>', 'recompress layers: gzip or zstd'))
    .option('--dest-compress', 'compress layers (skopeo\'s old spelling): gzip unless --dest-compress-format says otherwise')
    .addOption(new Option('--dest-compress-level <n>', 'compression level (gzip 1-9, zstd 1-22)').argParser(integerFlag('--dest-compress-level', { min: 1, max: MAX_COMPRESSION_LEVEL.zstd })))
    .option('--dest-force-compress-format', 'recompress layers already in the target format')
    .addOption(new Option('-j, --jobs <n>', 'blobs copied at once (default 6; as many under 1 MiB alongside)').argParser(integerFlag('--jobs', { min: 1, max: MAX_JOBS })))
    .addOption(new Option('--image-parallel-copies <n>', 'same as --jobs (skopeo\'s name)').argParser(integerFlag('--image-parallel-copies', { min: 1, max: MAX_JOBS })))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json']).default('auto'))
    .option('-q, --quiet', 'no progress output')
    .option('--digestfile <path>', 'write the destination manifest digest to this file')
    .option('--additional-tag <name:tag>', 'another name for the image in a docker-archive: destination (repeatable)', collect)
    .option('--src-shared-blob-dir <dir>', 'oci: source whose blobs are in DIR/<algorithm>/<hex> instead of its blobs/')
    .option('--dest-shared-blob-dir <dir>', 'oci: destination writing its blobs to DIR/<algorithm>/<hex>, shared with other layouts');
  addRetryFlags(cmd);
  addAttachmentFlags(cmd);
  acceptNoOp(cmd, '--dest-precompute-digests', 'ferry already checks the destination for every blob whose digest is known before sending it; recompressed layers are streamed, not staged on disk');
  acceptNoOp(cmd, '--dest-oci-accept-uncompressed-layers', 'ferry stores layers in oci: layouts as they come and never compresses uncompressed ones');
  addCacheFlag(cmd);
  cmd.option('--authfile <path>', 'auth file for both sides (--src-authfile / --dest-authfile override it)');
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  addStallTimeoutFlag(cmd);
  refuseFlag(cmd, '--src-daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--dest-daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--dest-decompress', 'ferry writes layers compressed (gzip or zstd), never decompressed');
  refuseFlag(cmd, '--dry-run', 'ferry copy has no dry run (ferry inspect shows what a copy would read)');
  refuseSigningFlags(cmd, 'copy');
  for (const flag of ['--encryption-key <key>', '--encrypt-layer <ints>', '--decryption-key <key>']) refuseFlag(cmd, flag, 'ferry does not encrypt or decrypt layers');
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
        ...(ctx.platform ? { systemPlatform: overridePlatform(ctx) } : {}),
        src: copySide(opts, 'src-'),
        dest: copySide(opts, 'dest-'),
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
