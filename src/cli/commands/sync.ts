import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { FerryError, UsageError } from '../../errors.js';
import { parseShard } from '../../sync/shard.js';
import type { SyncRequest, SyncResult } from '../../sync/sync.js';
import { copyOptionsFrom } from './copy.js';
import { addAttachmentFlags } from './attachment-flags.js';
import { MAX_JOBS } from '../../copy/options.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { addRetryFlags, session, type CommandContext } from './context.js';
import { integerFlag } from './number-flags.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';
import { refuseSigningFlags } from './compat-flags.js';

export function syncRequestFrom(ctx: CommandContext, opts: Record<string, unknown>): SyncRequest {
  const jobs = (opts['imageJobs'] ?? opts['parallelImages']) as number | undefined;
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const shard = str('shard');
  return {
    ...copyOptionsFrom({ jobs: opts['jobs'], platform: opts['platform'], format: opts['format'], preserveDigests: opts['preserveDigests'], all: opts['all'], referrers: opts['referrers'], removeSignatures: opts['removeSignatures'], referrersArtifactType: opts['referrersArtifactType'] }),
    ...session(ctx, opts),
    ...stallTimeoutFrom(opts),
    ...cacheOptions(opts),
    src: sideOptions(opts, 'src-'),
    dest: sideOptions(opts, 'dest-'),
    ...(jobs ? { imageJobs: jobs } : {}),
    ...(str('tags') !== undefined ? { tags: str('tags')! } : {}),
    ...(str('semver') !== undefined ? { semver: str('semver')! } : {}),
    ...(str('repos') !== undefined ? { repos: str('repos')! } : {}),
    ...(str('appendSuffix') !== undefined ? { appendSuffix: str('appendSuffix')! } : {}),
    ...(opts['scoped'] ? { scoped: true } : {}),
    ...(opts['skipExisting'] ? { skipExisting: true } : {}),
    ...(opts['keepGoing'] ? { keepGoing: true } : {}),
    ...(opts['dryRun'] ? { dryRun: true } : {}),
    ...(opts['deleteMissing'] ? { deleteMissing: true } : {}),
    ...(shard !== undefined ? { shard: parseShard(shard) } : {}),
  };
}

export function syncCommand(ctx: CommandContext): Command {
  const cmd = new Command('sync')
    .description('mirror repositories (images, indexes, Helm charts) byte for byte, images in parallel; skopeo sync\'s form with --src/--dest')
    .argument('<source>', 'docker://REGISTRY[/REPOSITORY] or oci:PATH; with --src: a repository[:tag], registry, YAML file, dir or oci folder')
    .argument('<destination>', 'docker://REGISTRY/REPOSITORY or oci:PATH; with --dest: a registry[/prefix] or a folder')
    .addOption(new Option('-s, --src <transport>', 'skopeo form: the source transport').choices(['docker', 'yaml', 'dir', 'oci']))
    .addOption(new Option('-d, --dest <transport>', 'skopeo form: the destination transport').choices(['docker', 'dir', 'oci']))
    .option('--tags <regex>', 'only tags this regular expression matches in full')
    .option('--semver <range>', 'only tags that are versions in this range (">=1.2 <2", "^1.0"; 1.2.3_build is 1.2.3+build)')
    .option('--repos <regex>', 'whole-registry source: only repositories this regular expression matches in full')
    .option('--platform <list>', 'copy only these platforms (os/arch[/variant],...) of each index')
    .addOption(new Option('--image-jobs <n>', 'images copied at once per registry (default 4)').argParser(integerFlag('--image-jobs', { min: 1 })))
    .addOption(new Option('--parallel-images <n>', 'same as --image-jobs').argParser(integerFlag('--parallel-images', { min: 1 })).hideHelp())
    .addOption(new Option('-j, --jobs <n>', 'blobs copied at once per image (default 6)').argParser(integerFlag('--jobs', { min: 1, max: MAX_JOBS })))
    .option('--skip-existing', 'skip any tag the destination already has, without reading the source (tags are immutable)')
    .option('--keep-going', 'try every image, report failures at the end, exit non-zero if any failed')
    .option('--dry-run', 'write nothing; print what would be copied, skipped and deleted')
    .option('--delete-missing', 'delete destination tags the source selection no longer has (tag-only delete)')
    .option('--shard <i/n>', 'take only shard I of N (0-based), by a stable hash of the destination reference')
    .option('--scoped', 'skopeo form: keep the source registry and path under the destination')
    .option('--append-suffix <suffix>', 'skopeo form: append this to every destination tag')
    .option('-a, --all', 'accepted: every platform of an index is copied by default')
    .addOption(new Option('-f, --format <format>', 'convert manifests (v2s1 is refused)').choices(['oci', 'v2s2', 'v2s1']))
    .option('--preserve-digests', 'fail rather than change any manifest digest')
    .option('--digestfile <path>', 'write "DIGEST REFERENCE" for every image at the destination')
    .addOption(new Option('--progress <mode>', 'output: lines, or json (NDJSON: one event per image, then a summary)').choices(['auto', 'plain', 'json']).default('auto'))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--authfile <path>', 'auth file for both sides');
  for (const side of ['src', 'dest'] as const) {
    addSideFlags(cmd, `${side}-`);
  }
  addAttachmentFlags(cmd);
  addRetryFlags(cmd);
  addCacheFlag(cmd);
  addStallTimeoutFlag(cmd);
  refuseSigningFlags(cmd, 'mirror');
  return cmd.action(async (src: string, dst: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { syncRepository, syncImages } = await import('../../sync/sync.js');
    const report = await import('../render/sync-report.js');
    const base = syncRequestFrom(ctx, opts);
    const json = opts['progress'] === 'json';
    const quiet = opts['quiet'] === true;
    const skopeoForm = opts['src'] !== undefined || opts['dest'] !== undefined;
    if (skopeoForm && (opts['src'] === undefined || opts['dest'] === undefined)) throw new UsageError('skopeo\'s form needs both --src and --dest');
    let byTag = !skopeoForm;
    const request: SyncRequest = {
      ...base,
      onImage: (r) => {
        if (json) ctx.stdout.write(report.imageEvent(r));
        else if (!quiet && r.status !== 'failed') ctx.stdout.write(`${report.imageLine(r, byTag)}\n`);
        if (!json && !quiet) for (const note of r.notes ?? []) ctx.stderr.write(`ferry: ${r.destination}: ${note}\n`);
      },
    };
    let result: SyncResult;
    if (skopeoForm) result = await syncImages({ srcKind: opts['src'] as never, destKind: opts['dest'] as never, source: src, destination: dst }, request);
    else {
      byTag = !/^docker:\/\/[^/]+\/?$/.test(src);
      result = await syncRepository(src, dst, request);
    }
    const s = result.summary;
    if (typeof opts['digestfile'] === 'string') await writeFile(opts['digestfile'], report.digestFileText(s));
    if (json) ctx.stdout.write(report.summaryEvent(s));
    else if (!quiet || s.failed) report.writeSummary(ctx.stderr, s, request.dryRun === true);
    if (s.failed) {
      const first = s.results.find((r) => r.status === 'failed');
      throw new FerryError((first?.code as FerryError['code']) ?? 'ERR_REGISTRY', `sync: ${s.failed} of ${s.results.length} images failed`);
    }
  });
}
