import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { MAX_COMPRESSION_LEVEL, MAX_JOBS, type CopyOptions, type MultiArch } from '../../copy/options.js';
import { UsageError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import type { ProgressMode } from '../progress/renderers.js';
import { refuseFlag } from './compat-flags.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';
import { overridePlatform, session, type CommandContext } from './context.js';
import { integerFlag } from './number-flags.js';

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
    const level = opts['destCompressLevel'] as number | undefined;
    if (level !== undefined && level > MAX_COMPRESSION_LEVEL[cf]) {
      throw new UsageError(`--dest-compress-level for ${cf} must be 1–${MAX_COMPRESSION_LEVEL[cf]}, not "${level}"`);
    }
    out.compression = { format: cf, ...(level ? { level } : {}), force: opts['destForceCompressFormat'] === true };
  } else if (opts['destCompressLevel'] !== undefined || opts['destForceCompressFormat']) {
    throw new UsageError('--dest-compress-level and --dest-force-compress-format need --dest-compress-format');
  }
  const jobs = opts['jobs'];
  if (typeof jobs === 'number') out.jobs = jobs;
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
    .addOption(new Option('--dest-compress-level <n>', 'compression level (gzip 1-9, zstd 1-22)').argParser(integerFlag('--dest-compress-level', { min: 1, max: MAX_COMPRESSION_LEVEL.zstd })))
    .option('--dest-force-compress-format', 'recompress layers already in the target format')
    .addOption(new Option('-j, --jobs <n>', 'blobs copied at once (default 6)').argParser(integerFlag('--jobs', { min: 1, max: MAX_JOBS })))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json']).default('auto'))
    .option('-q, --quiet', 'no progress output')
    .option('--digestfile <path>', 'write the destination manifest digest to this file')
    .addOption(new Option('--retry-times <n>', 'retries for transient failures').argParser(integerFlag('--retry-times', { min: 0 })))
    .option('--remove-signatures', 'accepted for skopeo compatibility (ferry copies no signatures)');
  addCacheFlag(cmd);
  cmd.option('--authfile <path>', 'auth file for both sides (--src-authfile / --dest-authfile override it)');
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  addStallTimeoutFlag(cmd);
  refuseFlag(cmd, '--src-daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--dest-daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--dest-decompress', 'ferry writes layers compressed (gzip or zstd), never decompressed');
  for (const flag of ['--sign-by <key-id>', '--sign-by-sigstore <param-file>', '--sign-by-sigstore-private-key <path>', '--sign-by-sq-fingerprint <fingerprint>', '--sign-passphrase-file <path>', '--sign-identity <reference>']) {
    refuseFlag(cmd, flag, 'ferry does not sign images; sign the copy afterwards (cosign sign, notation sign)');
  }
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
