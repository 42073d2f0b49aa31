import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { CopyOptions, MultiArch } from '../../copy/options.js';
import { UsageError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import type { ProgressMode } from '../progress/renderers.js';
import type { SideOptions } from '../../transport/open.js';
import { addCopyCompatFlags, refuseUnsupportedFlags } from './copy-compat-flags.js';
import { parseDuration } from './duration.js';
import { addSideFlags, sideOptions } from './flags.js';
import { session, type CommandContext } from './context.js';

function positiveInt(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(String(value)) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} takes a whole number of 1 or more, not "${String(value)}"`);
  }
  return n;
}

/** --jobs and skopeo's --image-parallel-copies are one setting; two different values are a mistake. */
function jobsFrom(opts: Record<string, unknown>): number | undefined {
  const jobs = positiveInt('--jobs', opts['jobs']);
  const parallel = positiveInt('--image-parallel-copies', opts['imageParallelCopies']);
  if (jobs !== undefined && parallel !== undefined && jobs !== parallel) {
    throw new UsageError(`--jobs ${jobs} contradicts --image-parallel-copies ${parallel} (they are the same setting)`);
  }
  return jobs ?? parallel;
}

/** skopeo's spellings: --dest-compress alone means gzip; zstd:chunked and v2s1 are refused with the reason. */
function compressFormat(opts: Record<string, unknown>): 'gzip' | 'zstd' | undefined {
  const cf = opts['destCompressFormat'];
  if (cf === undefined) return opts['destCompress'] === true ? 'gzip' : undefined;
  if (cf === 'gzip' || cf === 'zstd') return cf;
  if (cf === 'zstd:chunked') throw new UsageError('--dest-compress-format zstd:chunked: not supported: ferry writes plain zstd layers (use zstd)');
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
  else if (format === 'v2s1') throw new UsageError('--format v2s1: not supported: ferry does not write Docker schema 1 manifests (deprecated; use v2s2 or oci)');
  else if (format !== undefined) throw new UsageError(`--format takes oci or v2s2, not "${String(format)}"`);
  if (opts['preserveDigests']) out.preserveDigests = true;
  const cf = compressFormat(opts);
  if (cf) {
    const level = opts['destCompressLevel'] === undefined ? undefined : Number(opts['destCompressLevel']);
    if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > (cf === 'gzip' ? 9 : 22))) {
      throw new UsageError(`--dest-compress-level for ${cf} must be 1–${cf === 'gzip' ? 9 : 22}, not "${String(opts['destCompressLevel'])}"`);
    }
    out.compression = { format: cf, ...(level ? { level } : {}), force: opts['destForceCompressFormat'] === true };
  } else if (opts['destCompressLevel'] !== undefined || opts['destForceCompressFormat']) {
    throw new UsageError('--dest-compress-level and --dest-force-compress-format need --dest-compress-format');
  }
  const jobs = jobsFrom(opts);
  if (jobs) out.jobs = jobs;
  if (opts['retryDelay'] !== undefined) out.retryDelayMs = parseDuration('--retry-delay', opts['retryDelay']);
  const tags = opts['additionalTag'];
  if (Array.isArray(tags) && tags.length) out.additionalTags = tags as string[];
  return out;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** One side's settings: connection flags, skopeo's --*-username/--*-password pair, the shared blob dir. */
export function copySide(opts: Record<string, unknown>, prefix: 'src-' | 'dest-'): SideOptions {
  const side = sideOptions(opts, prefix);
  const key = prefix === 'src-' ? 'src' : 'dest';
  const user = opts[`${key}Username`];
  const password = opts[`${key}Password`];
  if (user !== undefined || password !== undefined) {
    if (typeof user !== 'string' || typeof password !== 'string') throw new UsageError(`--${prefix}username and --${prefix}password go together`);
    if (side.creds !== undefined) throw new UsageError(`--${prefix}username contradicts --${prefix}creds`);
    side.creds = `${user}:${password}`;
  }
  const shared = opts[`${key}SharedBlobDir`];
  if (typeof shared === 'string') side.sharedBlobDir = shared;
  return side;
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
    .option('--dest-compress-level <n>', 'compression level (gzip 1-9, zstd 1-22)')
    .option('--dest-force-compress-format', 'recompress layers already in the target format')
    .option('-j, --jobs <n>', 'blobs copied at once (default 6)')
    .option('--image-parallel-copies <n>', 'same as --jobs (skopeo\'s name)')
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json']).default('auto'))
    .option('-q, --quiet', 'no progress output')
    .option('--digestfile <path>', 'write the destination manifest digest to this file')
    .option('--retry-times <n>', 'retries for transient failures')
    .option('--retry-delay <duration>', 'fixed wait between retries (500ms, 2s, 1m); default: exponential backoff')
    .option('--additional-tag <name:tag>', 'another name for the image in a docker-archive: destination (repeatable)', collect)
    .option('--src-shared-blob-dir <dir>', 'oci: source whose blobs are in DIR/<algorithm>/<hex> instead of its blobs/')
    .option('--dest-shared-blob-dir <dir>', 'oci: destination writing its blobs to DIR/<algorithm>/<hex>, shared with other layouts')
    .option('--authfile <path>', 'auth file for both sides (--src-authfile / --dest-authfile override it)')
    .option('--src-username <name>', 'source user name (with --src-password; same as --src-creds)')
    .option('--src-password <password>', 'source password (with --src-username)')
    .option('--dest-username <name>', 'destination user name (with --dest-password; same as --dest-creds)')
    .option('--dest-password <password>', 'destination password (with --dest-username)');
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  addCopyCompatFlags(cmd);
  return cmd.action(async (src: string, dst: string, opts: Record<string, unknown>) => {
    refuseUnsupportedFlags(opts);
    const copyOptions = copyOptionsFrom(opts);
    const sides = { src: copySide(opts, 'src-'), dest: copySide(opts, 'dest-') };
    // loaded on use: start-up pays only for the command that runs
    const { copy } = await import('../../copy/copy.js');
    const { makeRenderer } = await import('../progress/renderers.js');
    const mode: ProgressMode = opts['quiet'] ? 'quiet' : (opts['progress'] as ProgressMode);
    const renderer = await makeRenderer(mode, ctx.stdout, ctx.stderr);
    try {
      const result = await copy(src, dst, {
        ...copyOptions,
        ...session(ctx, opts),
        ...(copyOptions.retryDelayMs !== undefined ? { retryDelayMs: copyOptions.retryDelayMs } : {}),
        ...sides,
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
