// RegistryClient + Authenticator + token fetching against small fake registries built
// from node:http on 127.0.0.1 (a fake, not the real registry, so faults can be injected
// exactly: 503s with Retry-After, insufficient_scope, redirects to another host, huge
// error bodies).
import { lookup } from 'node:dns/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeClock } from '../../support/fake-clock.js';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, FerryError, RegistryError } from '../../../src/errors.js';
import { RegistryClient, type RegistryClientOptions, type RequestSpec } from '../../../src/http/client.js';
import type { AuthCredential } from '../../../src/http/credential.js';
import type { RetryPolicy } from '../../../src/http/retry.js';
import { fetchToken } from '../../../src/http/token.js';
import { NodeHttpSender } from '../../../src/http/node-http.js';
import { scratchDir } from '../../support/scratch.js';
import { makeServerCertificates } from '../../support/tls-certs.js';

const FAST: RetryPolicy = { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 };
const DIGEST = `sha256:${'d'.repeat(64)}`;

interface Seen {
  method: string;
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Fake {
  port: number;
  /** host:port as the client is given it. */
  host: string;
  seen: Seen[];
  count(method: string, path: string): number;
  server: Server;
}

type Handler = (req: Seen, res: ServerResponse, fake: Fake) => unknown;

const servers: Server[] = [];
const clients: RegistryClient[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function startFake(handler: Handler, address = '127.0.0.1'): Promise<Fake> {
  const seen: Seen[] = [];
  const fake = { seen } as Fake;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'x'}`);
      const s: Seen = { method: req.method ?? '', path: url.pathname, url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      Promise.resolve(handler(s, res, fake)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.host = `${address.includes(':') ? `[${address}]` : address}:${fake.port}`;
  fake.server = server;
  fake.count = (method, path) => seen.filter((s) => s.method === method && s.path === path).length;
  return fake;
}

/** Every client runs on a fake clock: retry waits return at once, tokens expire only when a test moves time. */
function newClient(host: string, opts: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient(host, { retry: FAST, clock: new FakeClock(), ...opts });
  clients.push(c);
  return c;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function spec(over: Partial<RequestSpec> = {}): RequestSpec {
  return {
    method: 'GET',
    path: '/v2/app/manifests/v1',
    scopes: ['repository:app:pull'],
    expect: [200],
    what: 'reading manifest',
    location: 'docker://registry/app:v1',
    ...over,
  };
}

async function text(res: { body: AsyncIterable<unknown> }): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function rejection(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected a rejection');
}

/**
 * A registry that wants Bearer tokens from its own /token endpoint. Tokens are
 * "tok-N-SECRET" and grant the scopes asked for; `route` answers everything under /v2/
 * except the ping, knowing which scopes the request's token carries.
 */
interface TokenRegistryOptions {
  expiresIn?: number;
  tokenDelayMs?: number;
  /** Checks the token request; return a status to refuse it. */
  tokenCheck?: (req: Seen) => number | undefined;
  route: (req: Seen, res: ServerResponse, ctx: { granted: string[] | undefined; challenge: string; fake: Fake }) => unknown;
}

interface TokenRequest {
  method: string;
  scopes: string[];
  service: string | null;
  form: URLSearchParams | undefined;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
}

async function tokenRegistry(opts: TokenRegistryOptions): Promise<Fake & { tokenRequests: TokenRequest[]; issued: string[] }> {
  const tokens = new Map<string, string[]>();
  const tokenRequests: TokenRequest[] = [];
  const issued: string[] = [];
  const fake = await startFake(async (req, res, f) => {
    const challenge = `Bearer realm="http://127.0.0.1:${f.port}/token",service="fake-registry"`;
    if (req.path === '/token') {
      const form = req.method === 'POST' ? new URLSearchParams(req.body) : undefined;
      const scopes = form ? (form.get('scope') ?? '').split(' ').filter(Boolean) : req.url.searchParams.getAll('scope');
      tokenRequests.push({ method: req.method, scopes, service: form ? form.get('service') : req.url.searchParams.get('service'), form, headers: req.headers, query: req.url.searchParams });
      if (opts.tokenDelayMs) await sleep(opts.tokenDelayMs);
      const refused = opts.tokenCheck?.(req);
      if (refused) return json(res, refused, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
      const token = `tok-${issued.length + 1}-SECRET`;
      issued.push(token);
      tokens.set(token, scopes);
      const body = req.method === 'POST' ? { access_token: token, expires_in: opts.expiresIn ?? 300 } : { token, expires_in: opts.expiresIn ?? 300 };
      return json(res, 200, body);
    }
    const authz = req.headers.authorization;
    const granted = authz?.startsWith('Bearer ') ? tokens.get(authz.slice(7)) : undefined;
    if (req.path === '/v2/') {
      if (!granted) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge });
      return json(res, 200, {});
    }
    return opts.route(req, res, { granted, challenge, fake: f });
  });
  return Object.assign(fake, { tokenRequests, issued });
}

/** Whether the scopes of a token include every action of `need` (the fake's own check, not ferry's). */
function grants(granted: string[] | undefined, need: string): boolean {
  if (!granted) return false;
  const cut = need.lastIndexOf(':');
  const actions = new Set<string>();
  for (const g of granted) {
    const i = g.lastIndexOf(':');
    if (g.slice(0, i) === need.slice(0, cut)) for (const a of g.slice(i + 1).split(',')) actions.add(a);
  }
  return need.slice(cut + 1).split(',').every((a) => actions.has(a));
}

/** A route that serves manifests to tokens carrying `need` and answers 401 + challenge otherwise. */
function needs(need: string, body = '{"schemaVersion":2}') {
  return (req: Seen, res: ServerResponse, ctx: { granted: string[] | undefined; challenge: string }) => {
    if (!grants(ctx.granted, need)) {
      const err = ctx.granted ? ',error="insufficient_scope"' : '';
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
        'www-authenticate': `${ctx.challenge},scope="${need}"${err}`,
      });
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end(body);
  };
}

describe('RegistryClient: Bearer token flow', () => {
  it('pings, gets a 401, fetches an anonymous token and succeeds with it', async () => {
    const reg = await tokenRegistry({ route: needs('repository:app:pull', '{"hello":1}') });
    const client = newClient(reg.host);
    const res = await client.request(spec());
    expect(res.status).toBe(200);
    expect(await text(res)).toBe('{"hello":1}');
    expect((await client.baseUrl()).href).toBe(`http://${reg.host}/`);
    expect(reg.tokenRequests).toHaveLength(1);
    const t = reg.tokenRequests[0]!;
    expect(t.method).toBe('GET');
    expect(t.service).toBe('fake-registry');
    expect(t.scopes).toEqual(['repository:app:pull']);
    expect(t.headers.authorization).toBeUndefined();
    expect(t.query.has('account')).toBe(false);
    const hit = reg.seen.filter((s) => s.path === '/v2/app/manifests/v1');
    expect(hit).toHaveLength(1);
    expect(hit[0]!.headers.authorization).toBe(`Bearer ${reg.issued[0]}`);
    expect(client.authenticator.scheme).toBe('bearer');
  });

  it('shares ONE token fetch among 10 concurrent requests for the same scope', async () => {
    const reg = await tokenRegistry({ tokenDelayMs: 100, route: needs('repository:app:pull') });
    const client = newClient(reg.host);
    const all = await Promise.all(Array.from({ length: 10 }, () => client.request(spec())));
    await Promise.all(all.map((r) => text(r)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(reg.tokenRequests).toHaveLength(1);
    expect(reg.count('GET', '/v2/')).toBe(1);
    const hits = reg.seen.filter((s) => s.path === '/v2/app/manifests/v1');
    expect(hits).toHaveLength(10);
    for (const h of hits) expect(h.headers.authorization).toBe(`Bearer ${reg.issued[0]}`);
  });

  it('reuses a token granted for more scopes and fetches anew for scopes it lacks', async () => {
    const reg = await tokenRegistry({
      route: (req, res, ctx) => (req.path.startsWith('/v2/app/') ? needs('repository:app:pull')(req, res, ctx) : needs('repository:other:pull')(req, res, ctx)),
    });
    const client = newClient(reg.host);
    await text(await client.request(spec({ scopes: ['repository:app:pull', 'repository:app:push'] })));
    await text(await client.request(spec({ scopes: ['repository:app:pull'] })));
    expect(reg.tokenRequests).toHaveLength(1);
    expect(reg.tokenRequests[0]!.scopes).toEqual(['repository:app:pull,push']);
    await text(await client.request(spec({ path: '/v2/other/manifests/v1', scopes: ['repository:other:pull'] })));
    expect(reg.tokenRequests).toHaveLength(2);
    expect(reg.tokenRequests[1]!.scopes).toEqual(['repository:other:pull']);
  });

  it('fetches a new token once the old one expires', async () => {
    // expires_in 1 s is used for 750 ms (a quarter is kept as margin)
    const reg = await tokenRegistry({ expiresIn: 1, route: needs('repository:app:pull') });
    const clock = new FakeClock();
    const client = newClient(reg.host, { clock });
    await text(await client.request(spec()));
    clock.advance(700);
    await text(await client.request(spec()));
    expect(reg.tokenRequests).toHaveLength(1);
    clock.advance(100);
    await text(await client.request(spec()));
    expect(reg.tokenRequests).toHaveLength(2);
    const hits = reg.seen.filter((s) => s.path === '/v2/app/manifests/v1');
    expect(hits.at(-1)!.headers.authorization).toBe(`Bearer ${reg.issued[1]}`);
  });

  it('refetches a token with the wider scope after insufficient_scope', async () => {
    const reg = await tokenRegistry({ route: needs('repository:app:pull,push') });
    const client = newClient(reg.host);
    const res = await client.request(spec({ method: 'PUT', path: '/v2/app/manifests/v1', expect: [200, 201] }));
    await text(res);
    expect(res.status).toBe(200);
    expect(reg.tokenRequests.map((t) => t.scopes)).toEqual([['repository:app:pull'], ['repository:app:pull,push']]);
    const puts = reg.seen.filter((s) => s.method === 'PUT');
    expect(puts.map((p) => p.headers.authorization)).toEqual([`Bearer ${reg.issued[0]}`, `Bearer ${reg.issued[1]}`]);
  });

  it('gives up with ERR_UNAUTHORIZED when the second token is refused too', async () => {
    const reg = await tokenRegistry({
      route: (_req, res, ctx) =>
        json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'nope' }] }, { 'www-authenticate': `${ctx.challenge},scope="repository:app:pull"` }),
    });
    const client = newClient(reg.host);
    const e = await rejection(client.request(spec()));
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.code).toBe('ERR_UNAUTHORIZED');
    expect(e.message).toBe('reading manifest docker://registry/app:v1: HTTP 401 UNAUTHORIZED: nope');
    expect(reg.count('GET', '/v2/app/manifests/v1')).toBe(2);
    expect(reg.tokenRequests).toHaveLength(2);
  });

  it('reports a refused token request as ERR_UNAUTHORIZED naming the token server, without retrying', async () => {
    const reg = await tokenRegistry({ tokenCheck: () => 401, route: needs('repository:app:pull') });
    const client = newClient(reg.host, { credentials: async () => ({ kind: 'basic', username: 'bob', password: 'pw-TOPSECRET' }) });
    const e = await rejection(client.request(spec()));
    expect(e.code).toBe('ERR_UNAUTHORIZED');
    expect(e.message).toBe(
      `token server http://127.0.0.1:${reg.port} refused the credentials for ${reg.host}: HTTP 401 UNAUTHORIZED: authentication required`,
    );
    expect(e.message).not.toContain('pw-TOPSECRET');
    expect(reg.tokenRequests).toHaveLength(1);
  });

  it('sends Basic credentials and the account to the token endpoint', async () => {
    const reg = await tokenRegistry({ route: needs('repository:app:pull') });
    const client = newClient(reg.host, { credentials: async () => ({ kind: 'basic', username: 'alice', password: 'pa:ss' }) });
    await text(await client.request(spec()));
    const t = reg.tokenRequests[0]!;
    expect(t.method).toBe('GET');
    expect(t.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
    expect(t.query.get('account')).toBe('alice');
  });

  it('exchanges an identity token with an OAuth2 POST (grant_type=refresh_token)', async () => {
    const reg = await tokenRegistry({ route: needs('repository:app:pull') });
    const client = newClient(reg.host, { credentials: async () => ({ kind: 'identity-token', token: 'refresh-XYZ' }) });
    const res = await client.request(spec());
    await text(res);
    expect(res.status).toBe(200);
    expect(reg.tokenRequests).toHaveLength(1);
    const t = reg.tokenRequests[0]!;
    expect(t.method).toBe('POST');
    expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(t.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(t.form!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-XYZ',
      client_id: 'ferry',
      service: 'fake-registry',
      scope: 'repository:app:pull',
    });
    expect([...t.query.keys()]).toEqual([]);
    expect(reg.seen.find((s) => s.path === '/v2/app/manifests/v1')!.headers.authorization).toBe(`Bearer ${reg.issued[0]}`);
  });

  it('sends a registry token as is, without asking the token server', async () => {
    const seenAuth: (string | undefined)[] = [];
    const fake = await startFake((req, res, f) => {
      if (req.path === '/v2/') return json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${f.port}/token"` });
      seenAuth.push(req.headers.authorization);
      return json(res, 200, {});
    });
    const client = newClient(fake.host, { credentials: async () => ({ kind: 'registry-token', token: 'direct-token' }) });
    await text(await client.request(spec()));
    expect(seenAuth).toEqual(['Bearer direct-token']);
    expect(fake.count('GET', '/token')).toBe(0);
  });
});

describe('RegistryClient: Basic auth', () => {
  const user = 'carol';
  const password = 'Basic-PW-123';
  const good = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const basicHandler: Handler = (req, res) => {
    if (req.headers.authorization !== good) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'access to the requested resource is not authorized' }] }, { 'www-authenticate': 'Basic realm="fake"' });
    return json(res, 200, { ok: true });
  };

  it('sends the credentials on every request after a Basic challenge', async () => {
    const fake = await startFake(basicHandler);
    let asked = 0;
    const client = newClient(fake.host, {
      credentials: async () => {
        asked++;
        return { kind: 'basic', username: user, password };
      },
    });
    await text(await client.request(spec()));
    await text(await client.request(spec({ path: '/v2/app/tags/list' })));
    expect(client.authenticator.scheme).toBe('basic');
    const hits = fake.seen.filter((s) => s.path !== '/v2/');
    expect(hits.map((h) => h.headers.authorization)).toEqual([good, good]);
    expect(asked).toBe(1);
  });

  it('fails after one attempt when the registry refuses the password', async () => {
    const fake = await startFake(basicHandler);
    const client = newClient(fake.host, { credentials: async () => ({ kind: 'basic', username: user, password: 'wrong' }) });
    const e = await rejection(client.request(spec()));
    expect(e.code).toBe('ERR_UNAUTHORIZED');
    expect(e.message).toBe('reading manifest docker://registry/app:v1: HTTP 401 UNAUTHORIZED: access to the requested resource is not authorized');
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(1);
  });

  it('sends no Authorization without credentials', async () => {
    const fake = await startFake(basicHandler);
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec()));
    expect(e.code).toBe('ERR_UNAUTHORIZED');
    expect(fake.seen.every((s) => s.headers.authorization === undefined)).toBe(true);
  });
});

describe('RegistryClient: retries', () => {
  it('retries a 503 after the Retry-After it names, then succeeds', async () => {
    let n = 0;
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      if (++n === 1) return json(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'try later' }] }, { 'retry-after': '1' });
      return json(res, 200, { n });
    });
    const lines: string[] = [];
    const clock = new FakeClock();
    const client = newClient(fake.host, { log: (l) => lines.push(l), clock });
    const res = await client.request(spec());
    expect(await text(res)).toBe('{"n":2}');
    expect(clock.sleeps).toEqual([1000]);
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(2);
    expect(lines.some((l) => l.startsWith('retry 1 of reading manifest in 1000 ms: reading manifest docker://registry/app:v1: HTTP 503 UNAVAILABLE: try later'))).toBe(true);
  });

  it('retries a 408 (request timeout)', async () => {
    let n = 0;
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      if (++n === 1) return json(res, 408, {});
      return json(res, 200, {});
    });
    const client = newClient(fake.host);
    expect((await client.request(spec())).status).toBe(200);
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(2);
  });

  it('fails with the last error when every attempt gets a 503', async () => {
    const fake = await startFake((req, res) => (req.path === '/v2/' ? json(res, 200, {}) : json(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'down' }] })));
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec()));
    expect(e).toMatchObject({ code: 'ERR_REGISTRY', status: 503, message: 'reading manifest docker://registry/app:v1: HTTP 503 UNAVAILABLE: down' });
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(FAST.retries + 1);
  });

  it('does not retry a 404, and answers it when it is expected', async () => {
    const fake = await startFake((req, res) =>
      req.path === '/v2/' ? json(res, 200, {}) : json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
    );
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec()));
    expect(e).toMatchObject({ code: 'ERR_NOT_FOUND', registryCode: 'MANIFEST_UNKNOWN' });
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(1);
    const res = await client.request(spec({ method: 'HEAD', expect: [200, 404] }));
    expect(res.status).toBe(404);
    await text(res);
  });

  it('does not retry a POST unless asked to, and replays its body when asked', async () => {
    const bodies: string[] = [];
    let n = 0;
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      bodies.push(req.body);
      if (++n <= 2) return json(res, 503, {});
      res.writeHead(202, { location: '/v2/app/blobs/uploads/u1' });
      res.end();
    });
    const client = newClient(fake.host);
    const post = (retry?: boolean) =>
      client.request(spec({ method: 'POST', path: '/v2/app/blobs/uploads/', expect: [202], body: () => Buffer.from('payload'), ...(retry === undefined ? {} : { retry }) }));
    const e = await rejection(post());
    expect(e).toMatchObject({ status: 503 });
    expect(fake.count('POST', '/v2/app/blobs/uploads/')).toBe(1);
    const res = await post(true);
    expect(res.status).toBe(202);
    expect(fake.count('POST', '/v2/app/blobs/uploads/')).toBe(3);
    expect(bodies).toEqual(['payload', 'payload', 'payload']);
  });

  it('stops at once when the signal aborts during a back-off', async () => {
    const fake = await startFake((req, res) => (req.path === '/v2/' ? json(res, 200, {}) : json(res, 503, {})));
    const clock = new FakeClock();
    clock.holdSleeps = true;
    const ac = new AbortController();
    // the first retry is logged just before its 20 s back-off starts; abort then
    const log = (line: string) => {
      if (line.startsWith('retry 1 of')) queueMicrotask(() => ac.abort());
    };
    const client = newClient(fake.host, { retry: { retries: 5, minDelayMs: 20_000, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 }, clock, log });
    await client.baseUrl();
    const e = await rejection(client.request(spec({ signal: ac.signal })));
    expect(e).toBeInstanceOf(AbortedError);
    expect(clock.sleeps).toHaveLength(1);
    expect(fake.count('GET', '/v2/app/manifests/v1')).toBe(1);
  });
});

describe('RegistryClient: redirects', () => {
  it('sends Authorization to its own host but never to a redirect target on another host', async () => {
    // the storage server answers on the address "localhost" resolves to, and is reached by that name
    const { address } = await lookup('localhost');
    const storage = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('blob-bytes');
    }, address);
    const reg = await tokenRegistry({
      route: (req, res, ctx) => {
        if (!ctx.granted) return needs('repository:app:pull')(req, res, ctx);
        if (req.path === `/v2/app/blobs/${DIGEST}`) {
          res.writeHead(307, { location: `http://localhost:${storage.port}/store/blob?X-Amz-Signature=SIGSECRET&digest=${DIGEST}` });
          return res.end();
        }
        if (req.path === '/v2/app/blobs/alias') {
          res.writeHead(302, { location: '/v2/app/blobs/moved' });
          return res.end();
        }
        res.writeHead(200);
        res.end(`moved:${req.headers.authorization ? 'auth' : 'none'}`);
      },
    });
    const lines: string[] = [];
    const client = newClient(reg.host, { log: (l) => lines.push(l) });

    const res = await client.request(spec({ path: `/v2/app/blobs/${DIGEST}`, what: 'reading blob' }));
    expect(await text(res)).toBe('blob-bytes');
    expect(res.url.host).toBe(`localhost:${storage.port}`);
    expect(storage.seen).toHaveLength(1);
    expect(storage.seen[0]!.headers.authorization).toBeUndefined();
    expect(reg.seen.find((s) => s.path === `/v2/app/blobs/${DIGEST}`)!.headers.authorization).toBe(`Bearer ${reg.issued[0]}`);

    const same = await client.request(spec({ path: '/v2/app/blobs/alias', what: 'reading blob' }));
    expect(await text(same)).toBe('moved:auth');

    expect(lines.join('\n')).not.toContain('SIGSECRET');
  });

  it('authenticates when the host is written in a form the URL normalises (upper case)', async () => {
    const reg = await tokenRegistry({ route: needs('repository:app:pull') });
    const client = newClient(`LocalHost:${reg.port}`, { tls: { verify: false } });
    const res = await client.request(spec());
    expect(res.status).toBe(200);
    await text(res);
    expect(reg.seen.find((s) => s.path === '/v2/app/manifests/v1')!.headers.authorization).toBe(`Bearer ${reg.issued[0]}`);
  });

  it('does not send Authorization to the same server reached under another name', async () => {
    // the registry is addressed by IP; the redirect names the same server as "localhost"
    const { address } = await lookup('localhost');
    const fake = await startFake((req, res, f) => {
      if (req.path === '/v2/') return json(res, 401, {}, { 'www-authenticate': 'Basic realm="r"' });
      if (req.path === '/v2/app/blobs/x') {
        res.writeHead(301, { location: `http://localhost:${f.port}/elsewhere` });
        return res.end();
      }
      res.end(req.headers.authorization ? 'auth' : 'none');
    }, address);
    expect(fake.host).not.toContain('localhost');
    const client = newClient(fake.host, { credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }) });
    const res = await client.request(spec({ path: '/v2/app/blobs/x' }));
    expect(await text(res)).toBe('none');
    expect(fake.seen.find((s) => s.path === '/v2/app/blobs/x')!.headers.authorization).toBeDefined();
  });

  it('gives up after too many redirects', async () => {
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      res.writeHead(302, { location: req.path + 'x' });
      res.end();
    });
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec({ path: '/v2/loop' })));
    expect(e).toMatchObject({ code: 'ERR_REGISTRY', message: 'reading manifest docker://registry/app:v1: too many redirects' });
    expect(fake.seen.filter((s) => s.path.startsWith('/v2/loop'))).toHaveLength(6);
  });

  it('returns a redirect that is expected instead of following it', async () => {
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      res.writeHead(307, { location: 'http://127.0.0.1:1/nowhere' });
      res.end();
    });
    const client = newClient(fake.host);
    const res = await client.request(spec({ expect: [307] }));
    expect(res.status).toBe(307);
    expect(res.headers['location']).toBe('http://127.0.0.1:1/nowhere');
    await text(res);
  });
});

describe('RegistryClient: transport', () => {
  it('falls back to plain HTTP for a loopback registry', async () => {
    const fake = await startFake((_req, res) => json(res, 200, {}));
    const client = newClient(fake.host);
    const base = await client.baseUrl();
    expect(base.protocol).toBe('http:');
    expect(base.host).toBe(fake.host);
    expect(fake.count('GET', '/v2/')).toBe(1);
  });

  it('speaks TLS to a loopback registry that hangs up on the plain-HTTP probe', async () => {
    const certs = await makeServerCertificates(await scratchDir('client-tls'));
    const seen: string[] = [];
    const server = createHttpsServer({ cert: await readFile(certs.serverCertPath), key: await readFile(certs.serverKeyPath) }, (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      json(res, 200, {});
    });
    servers.push(server as unknown as Server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = newClient(host, { tls: { verify: true, certDir: certs.certDir } });
    expect((await client.baseUrl()).protocol).toBe('https:');
    expect(seen).toEqual(['GET /v2/']);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)('does not fall back to plain HTTP for a non-loopback registry unless TLS verification is off', async () => {
    const fake = await startFake((_req, res) => json(res, 200, {}), external);
    const strict = newClient(fake.host);
    const e = await rejection(strict.baseUrl());
    expect(e.code).toBe('ERR_NETWORK');
    expect(e.message).toContain(`cannot reach ${fake.host} (GET /v2/)`);
    expect(fake.count('GET', '/v2/')).toBe(0);
    const lax = newClient(fake.host, { tls: { verify: false } });
    expect((await lax.baseUrl()).protocol).toBe('http:');
  });

  it('reports an unreachable registry as ERR_NETWORK naming the host', async () => {
    const fake = await startFake((_req, res) => json(res, 200, {}));
    const port = fake.port;
    await new Promise<void>((resolve) => {
      fake.server.closeAllConnections();
      fake.server.close(() => resolve());
    });
    const client = newClient(`127.0.0.1:${port}`, { retry: { ...FAST, retries: 1 } });
    const e = await rejection(client.request(spec()));
    expect(e.code).toBe('ERR_NETWORK');
    expect(e.message).toMatch(new RegExp(`^${spec().what} ${spec().location}: cannot reach 127\\.0\\.0\\.1:${port} \\(GET /v2/\\): .*ECONNREFUSED`));
  });

  it('fails the ping with the status when /v2/ answers neither 200 nor 401', async () => {
    const fake = await startFake((_req, res) => json(res, 404, {}));
    const client = newClient(fake.host);
    const e = await rejection(client.baseUrl());
    expect(e).toMatchObject({ code: 'ERR_NOT_FOUND', status: 404, message: `pinging registry ${fake.host}: HTTP 404` });
  });

  it('bounds what it reads of an error body', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    let closed!: Promise<void>;
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      closed = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(400, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec()));
    expect(e).toMatchObject({ code: 'ERR_REGISTRY', status: 400, message: 'reading manifest docker://registry/app:v1: HTTP 400' });
    await closed;
    expect(written).toBeLessThan(total);
  });

  it('keeps a long error body out of the one-line message', async () => {
    const fake = await startFake((req, res) => {
      if (req.path === '/v2/') return json(res, 200, {});
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(`<html>\n<body>\n${'y'.repeat(30_000)}\n</body></html>`);
    });
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec()));
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(250);
    expect(e.message.startsWith('reading manifest docker://registry/app:v1: HTTP 400 UNKNOWN: <html> <body> yyy')).toBe(true);
  });

  it('does not read a body for a failed HEAD', async () => {
    const fake = await startFake((req, res) => (req.path === '/v2/' ? json(res, 200, {}) : json(res, 403, { errors: [{ code: 'DENIED', message: 'no' }] })));
    const client = newClient(fake.host);
    const e = await rejection(client.request(spec({ method: 'HEAD' })));
    expect(e).toMatchObject({ code: 'ERR_DENIED', status: 403, message: 'reading manifest docker://registry/app:v1: HTTP 403' });
  });

  it('sends its user agent and the request headers', async () => {
    const fake = await startFake((_req, res) => json(res, 200, {}));
    const client = newClient(fake.host, { userAgent: 'ferry-test/9' });
    await text(await client.request(spec({ headers: { accept: 'application/vnd.oci.image.index.v1+json' } })));
    const hit = fake.seen.find((s) => s.path === '/v2/app/manifests/v1')!;
    expect(hit.headers['user-agent']).toBe('ferry-test/9');
    expect(hit.headers.accept).toBe('application/vnd.oci.image.index.v1+json');
  });
});

describe('RegistryClient: --debug log', () => {
  it('never logs a password, token, identity token or Authorization value', async () => {
    const secrets = { password: 'PW-hunter2-secret', refresh: 'REFRESH-secret-42' };
    const flows: AuthCredential[] = [
      { kind: 'basic', username: 'dave', password: secrets.password },
      { kind: 'identity-token', token: secrets.refresh },
    ];
    for (const cred of flows) {
      const reg = await tokenRegistry({
        route: (req, res, ctx) => {
          if (!ctx.granted) return needs('repository:app:pull')(req, res, ctx);
          if (req.path === '/v2/app/blobs/uploads/') {
            res.writeHead(202, { location: `/v2/app/blobs/uploads/u1?_state=STATESECRET` });
            return res.end();
          }
          return json(res, 200, {});
        },
      });
      const lines: string[] = [];
      const client = newClient(reg.host, { credentials: async () => cred, log: (l) => lines.push(l) });
      await text(await client.request(spec()));
      const up = await client.request(spec({ method: 'POST', path: '/v2/app/blobs/uploads/', expect: [202] }));
      await text(up);
      await text(await client.request(spec({ method: 'PUT', path: `${up.headers['location'] as string}&digest=${DIGEST}`, expect: [200] })));

      expect(lines.some((l) => l.startsWith(`ping http://${reg.host} -> 401`))).toBe(true);
      expect(lines.some((l) => l.startsWith(`token ${cred.kind === 'basic' ? 'GET' : 'POST'} http://127.0.0.1:${reg.port}/token scopes=[repository:app:pull] -> 200`))).toBe(true);
      expect(lines.some((l) => l.includes('HTTP PUT') && l.includes('_state=REDACTED') && l.includes(`digest=${encodeURIComponent(DIGEST)}`))).toBe(true);
      const all = lines.join('\n');
      const forbidden = [secrets.password, secrets.refresh, 'STATESECRET', Buffer.from(`dave:${secrets.password}`).toString('base64'), ...reg.issued, 'Bearer', 'Basic '];
      for (const s of forbidden) expect(all).not.toContain(s);
    }
  });
});

describe('fetchToken', () => {
  const ctx = () => ({ sender: new NodeHttpSender({ rejectUnauthorized: true }, { headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, keepAliveMs: 10_000 }), registry: 'registry.example.com', credential: undefined, allowInsecureRealm: false, userAgent: 't' });

  it('refuses to send credentials to a plain-HTTP realm on another machine', async () => {
    const c = ctx();
    const e = await rejection(fetchToken({ scheme: 'bearer', params: { realm: 'http://auth.example.com/token' } }, [], c));
    expect(e).toMatchObject({ code: 'ERR_UNAUTHORIZED', message: 'refusing to send credentials to non-HTTPS token realm http://auth.example.com of registry.example.com' });
    await c.sender.close();
  });

  it('names a challenge without a realm or with an invalid one', async () => {
    const c = ctx();
    expect((await rejection(fetchToken({ scheme: 'bearer', params: {} }, [], c))).message).toBe('registry registry.example.com sent a Bearer challenge without a realm');
    expect((await rejection(fetchToken({ scheme: 'bearer', params: { realm: 'not a url' } }, [], c))).message).toBe(
      'registry registry.example.com sent an invalid token realm',
    );
    await c.sender.close();
  });

  it('rejects token answers without a token or with bad JSON', async () => {
    let mode = 0;
    const fake = await startFake((_req, res) => {
      if (mode === 0) return json(res, 200, { expires_in: 60 });
      res.writeHead(200);
      res.end('not json');
    });
    const c = ctx();
    const challenge = { scheme: 'bearer', params: { realm: `http://${fake.host}/token` } };
    expect((await rejection(fetchToken(challenge, [], c))).message).toBe(`token server http://${fake.host} answered without a token`);
    mode = 1;
    expect((await rejection(fetchToken(challenge, [], c))).message).toBe(`token server http://${fake.host} answered with invalid JSON`);
    await c.sender.close();
  });

  it('keeps the scopes and applies expires_in and issued_at', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const issuedAt = new Date(now - 100_000).toISOString();
    const fake = await startFake((_req, res) => json(res, 200, { token: 't1', access_token: 'a1', expires_in: 300, issued_at: issuedAt }));
    const c = { ...ctx(), now: () => now };
    const t = await fetchToken({ scheme: 'bearer', params: { realm: `http://${fake.host}/token` } }, ['repository:a:pull'], c);
    expect(t.value).toBe('a1');
    expect(t.scopes).toEqual(['repository:a:pull']);
    expect(t.expiresAt).toBe(Date.parse(issuedAt) + 300_000 - 10_000);
    await c.sender.close();
  });
});
