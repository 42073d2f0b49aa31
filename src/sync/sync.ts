import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CopyStats } from '../copy/copy-image.js';
import { checkCopyOptions } from '../copy/options.js';
import { UsageError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { parseDockerReference } from '../reference/docker-reference.js';
import { formatLocation, parseLocation, type Location } from '../reference/location.js';
import type { SideOptions } from '../transport/open.js';
import { dirSourceRepos } from './dir-source.js';
import type { CatalogJob } from './expand.js';
import { describeSource, type RepoJob, type RepoTarget } from './jobs.js';
import { destinationSuffix, parseSourceRepository, registryOnly, targetFor, type DestKind, type SrcKind } from './naming.js';
import { runSync, type EngineResult, type SyncEngineOptions } from './run.js';
import { cliSelection, wholeMatch, type Selection } from './select.js';
import type { SyncSummary } from './summary.js';
import { parseSyncYaml } from './yaml-config.js';

export { tagFilter } from './select.js';

export interface SyncRequest extends SyncEngineOptions {
  src?: SideOptions;
  dest?: SideOptions;
  /** Only tags this pattern matches in full (a string is compiled as `^(?:…)$`). */
  tags?: RegExp | string;
  /** Only tags that are versions in this range (`1.2.3_build` reads as `1.2.3+build`). */
  semver?: string;
  /** Whole-registry source: only repositories this pattern matches in full. */
  repos?: RegExp | string;
  /** Called as each tag is done (kept for callers of the first sync API). */
  onTag?: (result: SyncedTag) => void;
}

export interface SyncedTag {
  tag: string;
  digest: Digest;
  /** The destination already had this tag on this manifest. */
  noop: boolean;
  stats: CopyStats;
}

export interface SyncResult {
  source: string;
  destination: string;
  synced: SyncedTag[];
  /** Tags the selection left out. */
  skipped: string[];
  summary: SyncSummary;
}

const NO_STATS: CopyStats = { copied: 0, skipped: 0, mounted: 0, recompressed: 0, bytes: 0 };

function toResult(source: string, destination: string, r: EngineResult): SyncResult {
  const synced = r.summary.results
    .filter((x) => (x.status === 'copied' || x.status === 'unchanged') && x.tag !== undefined && x.digest !== undefined)
    .map((x) => ({ tag: x.tag!, digest: x.digest!, noop: x.status === 'unchanged', stats: x.stats ?? NO_STATS }))
    .sort((a, b) => a.tag.localeCompare(b.tag));
  return { source, destination, synced, skipped: [...r.leftOut.values()].flat(), summary: r.summary };
}

function engineOptions(request: SyncRequest): SyncEngineOptions {
  const { onTag, onImage, onEvent } = request;
  return {
    ...request,
    onImage: (x) => {
      onImage?.(x);
      if ((x.status === 'copied' || x.status === 'unchanged') && x.tag && x.digest) {
        const noop = x.status === 'unchanged';
        onTag?.({ tag: x.tag, digest: x.digest, noop, stats: x.stats ?? NO_STATS });
        onEvent?.({ type: 'tag-synced', tag: x.tag, digest: x.digest, noop });
      }
    },
  };
}

function targetOf(loc: Location): RepoTarget {
  if (loc.kind === 'docker') return { kind: 'docker', registry: loc.ref.registry, repository: loc.ref.repository };
  if (loc.kind === 'oci') return { kind: 'oci', path: loc.path };
  throw new UsageError(`sync writes to docker:// repositories and oci: layouts, not ${loc.kind}:`);
}

/** A repository as written: docker://REGISTRY/REPO or oci:PATH, without tag, digest or ref. */
function repository(input: string | Location, role: string): Location {
  const loc = typeof input === 'string' ? parseLocation(input) : input;
  if (loc.kind === 'docker') {
    // parseLocation adds ":latest"; look at what was written
    const written = typeof input === 'string' ? parseDockerReference(input.slice('docker://'.length)) : loc.ref;
    if (written.tag || written.digest) throw new UsageError(`sync ${role} is a repository, without tag or digest: ${formatLocation(loc)}`);
    return loc;
  }
  if (loc.kind === 'oci') {
    if (loc.ref) throw new UsageError(`sync ${role} is a whole layout, without :REF: ${formatLocation(loc)}`);
    return loc;
  }
  throw new UsageError(`sync works between docker:// repositories and oci: layouts, not ${loc.kind}:`);
}

function catalogRegistry(input: string | Location): string | undefined {
  return typeof input === 'string' && input.startsWith('docker://') ? registryOnly(input.slice('docker://'.length)) : undefined;
}

/**
 * `ferry sync SOURCE DESTINATION`: every tag of a repository (or those the selection
 * takes) mirrored to another repository or layout; `docker://REGISTRY` alone mirrors
 * every repository of the registry (catalog) under the destination, path for path.
 */
export async function syncRepository(src: string | Location, dst: string | Location, request: SyncRequest = {}): Promise<SyncResult> {
  checkCopyOptions(request);
  const selection = cliSelection(request);
  const srcSide = request.src ?? {};
  const destSide = request.dest ?? {};
  const registry = catalogRegistry(src);
  if (registry !== undefined) {
    const destText = typeof dst === 'string' && dst.startsWith('docker://') ? dst.slice('docker://'.length) : undefined;
    if (destText === undefined) throw new UsageError('a whole-registry sync writes to docker://REGISTRY[/PREFIX]');
    const job: CatalogJob = { kind: 'catalog', registry, ...(request.repos !== undefined ? { repos: wholeMatch(request.repos, '--repos') } : {}), target: (repo) => targetFor('docker', destText, repo), selection, src: srcSide, dest: destSide };
    return toResult(`docker://${registry}`, String(dst), await runSync([job], engineOptions(request)));
  }
  const from = repository(src, 'source');
  const to = repository(dst, 'destination');
  const source = from.kind === 'docker' ? { kind: 'docker' as const, registry: from.ref.registry, repository: from.ref.repository } : { kind: 'oci' as const, path: (from as { path: string }).path };
  const job: RepoJob = { source, target: targetOf(to), selection, src: srcSide, dest: destSide };
  return toResult(describeSource(source), formatLocation(to), await runSync([job], engineOptions(request)));
}

/** skopeo's form: `--src docker|yaml|dir|oci --dest docker|dir|oci SOURCE DESTINATION`. */
export interface SkopeoSyncSpec {
  srcKind: SrcKind;
  destKind: DestKind;
  source: string;
  destination: string;
}

/** The jobs skopeo's form describes, with skopeo's destination naming. */
export async function skopeoJobs(spec: SkopeoSyncSpec, request: SyncRequest): Promise<Array<RepoJob | CatalogJob>> {
  const naming = { ...(request.scoped ? { scoped: true } : {}) };
  const srcSide = request.src ?? {};
  const destSide = request.dest ?? {};
  const cli = cliSelection(request);
  const target = (suffix: string) => targetFor(spec.destKind, spec.destination, suffix);
  switch (spec.srcKind) {
    case 'docker': {
      const registry = registryOnly(spec.source);
      if (registry !== undefined) {
        return [{ kind: 'catalog', registry, ...(request.repos !== undefined ? { repos: wholeMatch(request.repos, '--repos') } : {}), target: (repo) => target(destinationSuffix(registry, repo, { ...naming, wholePath: true })), selection: cli, src: srcSide, dest: destSide }];
      }
      const ref = parseSourceRepository(spec.source);
      const selection: Selection = ref.digest ? { digests: [ref.digest] } : ref.tag ? { tags: [ref.tag] } : cli;
      return [{ source: { kind: 'docker', registry: ref.registry, repository: ref.repository }, target: target(destinationSuffix(ref.registry, ref.repository, naming)), selection, src: srcSide, dest: destSide }];
    }
    case 'oci': {
      const path = spec.source.replace(/\/+$/, '');
      return [{ source: { kind: 'oci', path }, target: target(basename(path)), selection: cli, src: srcSide, dest: destSide }];
    }
    case 'dir':
      return (await dirSourceRepos(spec.source)).map(({ repository, repo }) => ({ source: repo, target: target(repository), selection: cli, src: srcSide, dest: destSide }));
    case 'yaml': {
      if (request.tags !== undefined || request.semver !== undefined) throw new UsageError('--tags and --semver select from docker and oci sources; in YAML use images-by-tag-regex or images-by-semver');
      const text = await readFile(spec.source, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`--src yaml: cannot read ${spec.source}: ${e.code ?? e.message}`);
      });
      return parseSyncYaml(text, spec.source).flatMap((reg) => {
        const side: SideOptions = {
          ...srcSide,
          ...(reg.credentials ? { credentials: { username: reg.credentials.username, password: reg.credentials.password } } : {}),
          ...(reg.tlsVerify !== undefined ? { tlsVerify: reg.tlsVerify } : {}),
          ...(reg.certDir !== undefined ? { certDir: reg.certDir } : {}),
        };
        return reg.repositories.map(({ repository, selection }) => {
          const ref = parseDockerReference(`${reg.registry}/${repository}`);
          return { source: { kind: 'docker' as const, registry: ref.registry, repository: ref.repository }, target: target(destinationSuffix(ref.registry, ref.repository, { ...naming, wholePath: true })), selection, src: side, dest: destSide };
        });
      });
    }
  }
}

/** `ferry sync --src … --dest … SOURCE DESTINATION`, skopeo's form. */
export async function syncImages(spec: SkopeoSyncSpec, request: SyncRequest = {}): Promise<SyncResult> {
  checkCopyOptions(request);
  const jobs = await skopeoJobs(spec, request);
  return toResult(`${spec.srcKind}:${spec.source}`, `${spec.destKind}:${spec.destination}`, await runSync(jobs, engineOptions(request)));
}
