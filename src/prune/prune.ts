import { copy } from '../copy/copy.js';
import { runPool } from '../copy/pool.js';
import { deleteImage } from '../delete/delete.js';
import { FerryError, UsageError } from '../errors.js';
import { parseDockerReference, type DockerReference } from '../reference/docker-reference.js';
import { formatLocation, parseLocation, type Location } from '../reference/location.js';
import { cliSelection, matchesTag } from '../sync/select.js';
import { openSource, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import { createdOf } from './created.js';
import { planPrune, pruneOrder, type PruneCandidate, type PruneDecision, type PruneOrder } from './plan.js';
import { parseDuration } from './rules.js';

export interface PruneRequest extends SessionOptions, SideOptions {
  signal?: AbortSignal;
  /** Candidates: tags this pattern matches in full. */
  tags?: RegExp | string;
  /** Candidates: tags that are versions in this range. */
  semver?: string;
  keepLast?: number;
  /** "90d", "12h"… or milliseconds. */
  olderThan?: string | number;
  /** Copy each tag here before deleting it: docker://REG/REPO, oci:PATH, or oci-archive:PATH with {tag}. */
  archive?: string;
  /** Connection settings for the archive destination. */
  archiveSide?: SideOptions;
  /** Delete; without it prune only plans. */
  yes?: boolean;
  now?: Date;
  /** Called per tag deleted (after its archive copy, if any). */
  onDeleted?: (tag: string, archivedTo: string | undefined) => void;
}

export interface PruneResult {
  repository: string;
  order: PruneOrder;
  /** Every tag: candidates with their verdict, the rest kept as not selected. */
  decisions: PruneDecision[];
  deleted: string[];
  applied: boolean;
}

function repositoryOf(input: string): DockerReference {
  const loc = parseLocation(input);
  if (loc.kind !== 'docker') throw new UsageError(`prune works on docker:// repositories, not ${loc.kind}:`);
  const written = parseDockerReference(input.slice('docker://'.length));
  if (written.tag || written.digest) throw new UsageError(`prune takes a repository, without tag or digest: ${input}`);
  return written;
}

/** Where tag `tag` is archived. */
function archiveLocation(archive: string, tag: string, count: number): Location {
  const loc = parseLocation(archive.replaceAll('{tag}', tag));
  if (loc.kind === 'docker') return { kind: 'docker', ref: { registry: loc.ref.registry, repository: loc.ref.repository, tag } };
  if (loc.kind === 'oci') return { ...loc, ref: tag };
  if (count > 1 && !archive.includes('{tag}')) throw new UsageError(`--archive ${loc.kind}: holds one image; put {tag} in the path (e.g. ${loc.kind}:/backup/app-{tag}.tar)`);
  return loc.kind === 'dir' ? loc : { ...loc, ref: loc.ref ?? tag };
}

/**
 * `ferry prune`: deletes a repository's tags by rule, tag-only (the image stays for any
 * other tag on it). Plans first, changes nothing without `yes`; with `archive`, each tag
 * is copied (and the copy verified) before it is deleted.
 */
export async function prune(repository: string, request: PruneRequest = {}): Promise<PruneResult> {
  const ref = repositoryOf(repository);
  const repoText = `docker://${ref.registry}/${ref.repository}`;
  if (request.keepLast === undefined && request.olderThan === undefined && request.tags === undefined && request.semver === undefined) {
    throw new UsageError('prune needs a rule: --keep-last, --older-than, --tags or --semver');
  }
  if (request.keepLast !== undefined && (!Number.isInteger(request.keepLast) || request.keepLast < 0)) throw new UsageError(`--keep-last takes a whole number, not ${request.keepLast}`);
  const olderThanMs = typeof request.olderThan === 'string' ? parseDuration(request.olderThan) : request.olderThan;
  const selection = cliSelection(request);
  const side: SideOptions = request;
  const signal = request.signal;
  return withPool(request, async (pool) => {
    const at = (tag: string): Location => ({ kind: 'docker', ref: { registry: ref.registry, repository: ref.repository, tag } });
    const lister = await openSource(at('latest'), side, request, pool);
    const all = [...new Set(await lister.listTags!({ signal }))].sort();
    const chosen = all.filter((t) => matchesTag(selection, t));
    const candidates: PruneCandidate[] = chosen.map((tag) => ({ tag }));
    if (olderThanMs !== undefined || pruneOrder(candidates) === 'created') {
      await runPool(candidates, 4, async (c) => {
        const source = await openSource(at(c.tag), side, request, pool);
        const created = await createdOf(source, signal);
        if (created) c.created = created;
      });
    }
    const { decisions, order } = planPrune(candidates, { ...(request.keepLast !== undefined ? { keepLast: request.keepLast } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}) }, request.now ?? new Date());
    const left = all.filter((t) => !chosen.includes(t)).map((tag): PruneDecision => ({ tag, action: 'keep', reason: 'not selected by --tags/--semver' }));
    const result: PruneResult = { repository: repoText, order, decisions: [...decisions, ...left], deleted: [], applied: request.yes === true };
    if (!request.yes) return result;
    const doomed = decisions.filter((d) => d.action === 'delete');
    for (const d of doomed) {
      let archivedTo: string | undefined;
      if (request.archive) {
        const target = archiveLocation(request.archive, d.tag, doomed.length);
        archivedTo = formatLocation(target);
        await copy(at(d.tag), target, { ...request, src: side, dest: request.archiveSide ?? {}, pool }).catch((e: unknown) => {
          throw new FerryError(e instanceof FerryError ? e.code : 'ERR_REGISTRY', `archiving tag ${d.tag} to ${archivedTo} failed, nothing deleted from here on: ${(e as Error).message}`, { cause: e });
        });
      }
      await deleteImage(at(d.tag), { ...request, pool });
      result.deleted.push(d.tag);
      request.onDeleted?.(d.tag, archivedTo);
    }
    return result;
  });
}
