import { FerryError } from '../../errors.js';
import { readBounded } from '../../http/body.js';
import { MAX_JSON_BODY_BYTES } from '../../oci/limits.js';
import { repositoryScope } from '../../http/scope.js';
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
export async function listTags(ctx: RepoContext, signal?: AbortSignal): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${ctx.repository}/tags/list`;
  const seen = new Set<string>();
  for (let page = 0; path && page < MAX_PAGES; page++) {
    if (seen.has(path)) break;
    seen.add(path);
    const res = await ctx.client.request({
      method: 'GET',
      path,
      scopes: [repositoryScope(ctx.repository, 'pull')],
      headers: { accept: 'application/json' },
      expect: [200],
      what: 'listing tags of',
      location: ctx.location,
      signal,
    });
    const body = await readBounded(res.body, MAX_JSON_BODY_BYTES, `tag list of ${ctx.location}`);
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new FerryError('ERR_REGISTRY', `listing tags of ${ctx.location}: invalid JSON from registry`);
    }
    if (Array.isArray(doc.tags)) for (const t of doc.tags) if (typeof t === 'string') tags.push(t);
    path = nextLink(res.headers['link']);
  }
  return tags;
}
