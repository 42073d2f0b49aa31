import { readFile } from 'node:fs/promises';
import { addAttachmentFlags, attachmentSelectionFrom } from './attachment-flags.js';
import { Command, Option } from 'commander';
import { FerryError, UsageError } from '../../errors.js';
import type { IndexFormat } from '../../merge/build-index.js';
import type { MergeSource } from '../../merge/collect.js';
import type { MergeSpec } from '../../merge/spec.js';
import type { SideOptions } from '../../transport/open.js';
import { addCacheFlag, addSideFlags, cacheOptions, sideOptions } from './flags.js';
import { addStallTimeoutFlag, stallTimeoutFrom } from './stall-timeout.js';
import { MAX_JOBS } from '../../copy/options.js';
import { addRetryFlags, session, type CommandContext } from './context.js';
import { integerFlag } from './number-flags.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function annotationsFrom(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--annotation takes KEY=VALUE, not "${pair}"`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

async function readSpec(file: string): Promise<MergeSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new FerryError('ERR_USAGE', `cannot read spec ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { parseMergeSpec } = await import('../../merge/spec.js');
  return parseMergeSpec(text, file);
}

/** Plain connection flags apply to both sides; --src-/--dest- ones override them per side. */
function side(opts: Record<string, unknown>, prefix: 'src-' | 'dest-'): SideOptions {
  return { ...sideOptions(opts, ''), ...sideOptions(opts, prefix) };
}

export function manifestMergeCommand(ctx: CommandContext): Command {
  const cmd = new Command('manifest-merge')
    .description('build one index (multi-platform image) from per-platform images, copying them into the target repository')
    .argument('[sources...]', 'images or indexes: docker://REF (or REGISTRY/REPO:TAG), oci:PATH[:REF], oci-archive:…, docker-archive:…, dir:…')
    .option('--target <ref>', 'docker://REGISTRY/REPOSITORY:TAG to push the index to (default: the spec\'s "image")')
    .option('--spec <file>', 'manifest-tool YAML spec: image, tags, manifests [{image, platform}], annotations')
    .option('--annotation <key=value>', 'index annotation (repeatable; OCI only)', collect)
    .option('--tag <tag>', 'push the index under this tag too (repeatable)', collect)
    .addOption(new Option('--format <format>', 'oci: OCI image index; v2s2: Docker manifest list (Docker images only)').choices(['oci', 'v2s2']))
    .option('--append', 'start from the index the target tag holds and add to it')
    .option('--replace', 'a later image for a platform replaces an earlier one instead of failing')
    .option('--dry-run', 'read everything and print the index; write nothing')
    .addOption(new Option('-j, --jobs <n>', 'blobs copied at once (default 6)').argParser(integerFlag('--jobs', { min: 1, max: MAX_JOBS })));
  addAttachmentFlags(cmd);
  addRetryFlags(cmd);
  addCacheFlag(cmd);
  addStallTimeoutFlag(cmd);
  addSideFlags(cmd, '');
  addSideFlags(cmd, 'src-');
  addSideFlags(cmd, 'dest-');
  return cmd.action(async (args: string[], opts: Record<string, unknown>) => {
    const stall = stallTimeoutFrom(opts);
    // loaded on use: start-up pays only for the command that runs
    const { mergeManifests } = await import('../../merge/merge.js');
    const spec = typeof opts['spec'] === 'string' ? await readSpec(opts['spec']) : undefined;
    const target = typeof opts['target'] === 'string' ? opts['target'] : spec?.image;
    if (!target) throw new UsageError('manifest-merge needs --target docker://REGISTRY/REPOSITORY:TAG (or "image" in the spec)');
    const sources: MergeSource[] = [...(spec?.manifests ?? []), ...args.map((image) => ({ image }))];
    if (sources.length === 0) throw new UsageError('manifest-merge needs at least one source image (arguments or the spec\'s "manifests")');
    const jobs = opts['jobs'] as number | undefined;
    const result = await mergeManifests(target, sources, {
      ...session(ctx, opts),
      ...stall,
      ...cacheOptions(opts),
      src: side(opts, 'src-'),
      dest: side(opts, 'dest-'),
      tags: [...(spec?.tags ?? []), ...((opts['tag'] as string[] | undefined) ?? [])],
      annotations: { ...spec?.annotations, ...annotationsFrom((opts['annotation'] as string[] | undefined) ?? []) },
      ...(opts['format'] ? { format: opts['format'] as IndexFormat } : {}),
      append: opts['append'] === true,
      replace: opts['replace'] === true,
      dryRun: opts['dryRun'] === true,
      ...(jobs ? { jobs } : {}),
      attachments: attachmentSelectionFrom(opts),
    });
    for (const note of result.notes) ctx.stderr.write(`ferry: ${note}\n`);
    // dry run: stdout is the index exactly as it would be pushed (for jq), the digest goes to stderr
    if (result.pushed === false) {
      ctx.stdout.write(`${Buffer.from(result.index.bytes).toString('utf8')}\n`);
      ctx.stderr.write(`ferry: dry run: index digest ${result.digest}\n`);
    } else ctx.stdout.write(`${result.digest}\n`);
  });
}
