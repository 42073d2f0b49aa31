// `ferry list-tags`: skopeo's {"Repository","Tags"} against the real registry,
// and Link pagination against a tiny fake (distribution 2.8 answers in one page
// and ignores `n`, so only a fake shows that ferry follows the pages).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { ferryJson, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { dockerRef, skopeo, skopeoRegistryFlags } from '../support/skopeo.js';

interface TagList {
  Repository: string;
  Tags: string[];
}

describe('list-tags on a token-auth registry, against skopeo', () => {
  let registry: RunningRegistry;
  const TAGS = ['v1', 'v2', 'latest', '1.0.0', 'release-candidate', 'a'];
  const creds = (): string[] => ['--creds', `${registry.username}:${registry.password}`];

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    const image = await buildImage();
    await pushWithSkopeo(image, registry, `team/app:${TAGS[0]}`);
    await Promise.all(TAGS.slice(1).map((tag) => pushWithSkopeo(image, registry, `team/app:${tag}`)));
  });
  afterAll(() => registry?.stop());

  it('prints {"Repository","Tags"} as skopeo list-tags does', async () => {
    const mark = await registry.mark();
    const mine = await ferryJson<TagList>(['list-tags', ...creds(), dockerRef(registry, 'team/app')]);
    const log = await registry.accessLog(mark);
    const theirs = JSON.parse(await skopeo(['list-tags', ...skopeoRegistryFlags(registry, ''), dockerRef(registry, 'team/app')])) as TagList;
    expect(Object.keys(mine)).toEqual(['Repository', 'Tags']);
    expect(Object.keys(mine)).toEqual(Object.keys(theirs));
    expect(mine.Repository).toBe(theirs.Repository);
    expect(mine.Repository).toBe(registry.ref('team/app'));
    // The registry lists tags in directory order; neither tool sorts.
    expect([...mine.Tags].sort()).toEqual([...theirs.Tags].sort());
    expect([...mine.Tags].sort()).toEqual([...TAGS].sort());
    // One page, one request.
    expect(log.filter((e) => e.path.endsWith('/tags/list')).map((e) => e.status), formatAccessLog(log)).toEqual([200]);
  });

  it('answers an unknown repository with the registry 404 in one line, where skopeo also fails', async () => {
    const run = await runFerry(['list-tags', ...creds(), dockerRef(registry, 'team/none')]);
    expect(oneLineError(run)).toMatch(/HTTP 404 NAME_UNKNOWN/);
    await expect(skopeo(['list-tags', ...skopeoRegistryFlags(registry, ''), dockerRef(registry, 'team/none')])).rejects.toThrow(/404/);
  });
});

interface FakeRequest {
  method: string;
  url: string;
}

/**
 * A registry that only knows /v2/ and tag lists, served in pages with a relative
 * Link header as distribution's _catalog does. `pages[repo]` are the pages in order.
 */
function startPagingRegistry(pages: Record<string, Array<{ tags: string[]; next?: string }>>): Promise<{ server: Server; host: string; requests: FakeRequest[] }> {
  const requests: FakeRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v2/') return json(200, {});
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const repo = m?.[1];
    const repoPages = repo ? pages[repo] : undefined;
    if (!repo || !repoPages) return json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    const last = url.searchParams.get('last');
    // Page k+1 starts after the last tag of page k.
    const index = last === null ? 0 : repoPages.findIndex((p, i) => i > 0 && repoPages[i - 1]?.tags.at(-1) === last);
    const page = repoPages[index];
    if (!page) return json(400, { errors: [{ code: 'PAGINATION_NUMBER_INVALID', message: `no page after ${last}` }] });
    const headers: Record<string, string> = page.next ? { link: `<${page.next}>; rel="next"` } : {};
    return json(200, { name: repo, tags: page.tags }, headers);
  };
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, host: `127.0.0.1:${port}`, requests });
    });
  });
}

describe('list-tags follows Link pagination', () => {
  let fake: Awaited<ReturnType<typeof startPagingRegistry>>;
  beforeAll(async () => {
    fake = await startPagingRegistry({
      'team/app': [
        { tags: ['a', 'b'], next: '/v2/team/app/tags/list?last=b&n=2' },
        { tags: ['c'] },
      ],
      'three/pages': [
        { tags: ['1', '2'], next: '/v2/three/pages/tags/list?n=2&last=2' },
        { tags: ['3', '4'], next: '/v2/three/pages/tags/list?n=2&last=4' },
        { tags: ['5'] },
      ],
      // A broken registry whose second page points back at the first.
      'loop/app': [
        { tags: ['x'], next: '/v2/loop/app/tags/list?last=x' },
        { tags: ['y'], next: '/v2/loop/app/tags/list' },
      ],
    });
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        fake?.server.close(() => resolve());
        fake?.server.closeAllConnections();
      }),
  );

  const tagRequests = (): string[] => fake.requests.filter((r) => r.url.includes('/tags/list')).map((r) => `${r.method} ${r.url}`);

  it('reads both pages of a relative Link, in order', async () => {
    fake.requests.splice(0);
    const out = await ferryJson<TagList>(['list-tags', `docker://${fake.host}/team/app`]);
    expect(out).toEqual({ Repository: `${fake.host}/team/app`, Tags: ['a', 'b', 'c'] });
    expect(tagRequests()).toEqual(['GET /v2/team/app/tags/list', 'GET /v2/team/app/tags/list?last=b&n=2']);
  });

  it('agrees with skopeo on the same pages', async () => {
    const theirs = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', `docker://${fake.host}/team/app`])) as TagList;
    const mine = await ferryJson<TagList>(['list-tags', `docker://${fake.host}/team/app`]);
    expect(mine).toEqual(theirs);
  });

  it('follows as many pages as there are', async () => {
    fake.requests.splice(0);
    const out = await ferryJson<TagList>(['list-tags', `docker://${fake.host}/three/pages`]);
    expect(out.Tags).toEqual(['1', '2', '3', '4', '5']);
    expect(tagRequests()).toHaveLength(3);
  });

  it('stops when a Link leads back to a page already read', async () => {
    fake.requests.splice(0);
    const run = await runFerry(['list-tags', `docker://${fake.host}/loop/app`], { timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as TagList).Tags).toEqual(['x', 'y']);
    expect(tagRequests()).toHaveLength(2);
  });
});
