import { FerryError } from '../../errors.js';
import { readBounded } from '../../http/body.js';
import { MAX_JSON_BODY_BYTES } from '../../oci/limits.js';
import { repositoryScope } from '../../http/scope.js';
import type { RegistryClient } from '../../http/client.js';
import type { RepoContext } from './manifests.js';

/** Largest number of pages followed, so a registry with a looping Link header cannot hang us. */
const MAX_PAGES = 10_000;

/** The next page from an RFC 5988 Link header: `</v2/…?last=x&n=100>; rel="next"`. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  for (const part of value.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** Every tag of a repository, following Link pagination (distribution 2.8 sends one page, others do not). */
export function listTags(ctx: RepoContext, signal?: AbortSignal): Promise<string[]> {
  return readPagedList(ctx.client, `/v2/${ctx.repository}/tags/list`, repositoryScope(ctx.repository, 'pull'), 'tags', { what: 'listing tags of', location: ctx.location }, signal);
}

/** The strings under `field` of every page of a paginated list (tags/list, _catalog). */
export async function readPagedList(
  client: RegistryClient,
  firstPath: string,
  scope: string,
  field: 'tags' | 'repositories',
  where: { what: string; location: string },
  signal?: AbortSignal,
): Promise<string[]> {
  const out: string[] = [];
  let path: string | undefined = firstPath;
  const seen = new Set<string>();
  for (let page = 0; path && page < MAX_PAGES; page++) {
    if (seen.has(path)) break;
    seen.add(path);
    const res = await client.request({
      method: 'GET',
      path,
      scopes: [scope],
      headers: { accept: 'application/json' },
      expect: [200],
      what: where.what,
      location: where.location,
      signal,
    });
    const body = await readBounded(res.body, MAX_JSON_BODY_BYTES, `${field} list of ${where.location}`);
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new FerryError('ERR_REGISTRY', `${where.what} ${where.location}: invalid JSON from registry`);
    }
    const items = doc[field];
    if (Array.isArray(items)) for (const t of items) if (typeof t === 'string') out.push(t);
    path = nextLink(res.headers['link']);
  }
  return out;
}
