// An in-process registry double with the OCI 1.1 referrers API, which the real
// registry of the test harness (distribution 2.8) lacks: blobs (monolithic, chunked,
// mount), manifests stored byte-exact, tags/list, GET /v2/<name>/referrers/<digest>
// (artifactType filter, Link pagination) and the OCI-Subject header on a manifest PUT
// with a subject. Plain HTTP on 127.0.0.1, no auth. It counts every request, so tests
// can assert how many a client made. Only for what the real registry cannot show.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReferrersRegistryOptions {
  /** false: answer the referrers endpoint with distribution 2.8's plain-text 404, and send no OCI-Subject. Default true. */
  referrersApi?: boolean;
  /** Referrers per page; more are reached through a `Link: <…>; rel="next"` header. Default: all on one page. */
  referrersPageSize?: number;
  /** false: ignore `?artifactType=` (a registry that does not filter; no OCI-Filters-Applied). Default true. */
  applyArtifactTypeFilter?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  status: number;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface Repository {
  blobs: Map<string, Buffer>;
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

export interface ReferrersRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  ref(repoTag: string): string;
  requests(): RecordedRequest[];
  /** Requests matching method and a path substring/pattern, since start or the last reset. */
  count(method?: string, path?: string | RegExp): number;
  resetRequests(): void;
  /** Answer the next `times` requests whose path matches with `status` (a JSON registry error). */
  failNext(path: string | RegExp, status: number, times?: number): void;
  /** Tags of a repository, as stored. */
  tags(repository: string): string[];
  close(): Promise<void>;
}

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message }] });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface ParsedManifest {
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType?: string };
  subject?: { digest?: string };
  annotations?: Record<string, string>;
}

/** A referrer's artifactType as the spec defines it: its own, else its config's (unless the empty config). */
function artifactTypeOf(doc: ParsedManifest): string | undefined {
  if (doc.artifactType) return doc.artifactType;
  const config = doc.config?.mediaType;
  return config && config !== EMPTY_CONFIG ? config : undefined;
}

export async function startReferrersRegistry(options: ReferrersRegistryOptions = {}): Promise<ReferrersRegistry> {
  const repos = new Map<string, Repository>();
  const uploads = new Map<string, { repository: string; chunks: Buffer[] }>();
  const log: RecordedRequest[] = [];
  const faults: Array<{ path: string | RegExp; status: number; left: number }> = [];
  const apiOn = options.referrersApi !== false;

  const repo = (name: string): Repository => {
    let r = repos.get(name);
    if (!r) repos.set(name, (r = { blobs: new Map(), manifests: new Map(), tags: new Map() }));
    return r;
  };

  function referrers(r: Repository, subject: string): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const [digest, m] of r.manifests) {
      let doc: ParsedManifest;
      try {
        doc = JSON.parse(m.bytes.toString('utf8')) as ParsedManifest;
      } catch {
        continue;
      }
      if (doc.subject?.digest !== subject) continue;
      const artifactType = artifactTypeOf(doc);
      out.push({ mediaType: m.mediaType, digest, size: m.bytes.length, ...(artifactType ? { artifactType } : {}), ...(doc.annotations ? { annotations: doc.annotations } : {}) });
    }
    return out;
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://double');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const send = (status: number, headers: Record<string, string | number> = {}, payload?: Buffer | string) => {
      const bytes = payload === undefined ? undefined : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
      res.writeHead(status, { ...(bytes && !('content-length' in headers) ? { 'content-length': bytes.length } : {}), ...headers });
      res.end(method === 'HEAD' ? undefined : bytes);
    };
    const fail = (status: number, code: string, message: string) => send(status, { 'content-type': 'application/json' }, errorBody(code, message));

    const fault = faults.find((f) => f.left > 0 && (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)));
    if (fault) {
      fault.left--;
      const code = fault.status === 401 ? 'UNAUTHORIZED' : fault.status === 403 ? 'DENIED' : 'UNKNOWN';
      return fail(fault.status, code, `injected ${fault.status}`);
    }
    if (path === '/v2/' || path === '/v2') return send(200, { 'content-type': 'application/json' }, '{}');

    const m = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags\/list|referrers)(?:\/(.*))?$/.exec(path);
    if (!m) return fail(404, 'NOT_FOUND', 'no such endpoint');
    const [, name, kind, rest = ''] = m as unknown as [string, string, string, string | undefined];
    const r = repo(name);

    if (kind === 'blobs' && (method === 'GET' || method === 'HEAD')) {
      const blob = r.blobs.get(rest);
      if (!blob) return fail(404, 'BLOB_UNKNOWN', 'blob unknown');
      return send(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': rest, 'content-length': blob.length }, blob);
    }
    if (kind === 'blobs/uploads') {
      if (method === 'POST' && rest === '') {
        const mount = url.searchParams.get('mount');
        const from = url.searchParams.get('from');
        const source = mount && from ? repos.get(from)?.blobs.get(mount) : undefined;
        if (mount && source) {
          r.blobs.set(mount, source);
          return send(201, { location: `/v2/${name}/blobs/${mount}`, 'docker-content-digest': mount, 'content-length': 0 });
        }
        const id = randomUUID();
        uploads.set(id, { repository: name, chunks: [] });
        return send(202, { location: `/v2/${name}/blobs/uploads/${id}`, range: '0-0', 'docker-upload-uuid': id, 'content-length': 0 });
      }
      const upload = uploads.get(rest);
      if (!upload || upload.repository !== name) return fail(404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
      if (method === 'PATCH') {
        upload.chunks.push(body);
        const size = upload.chunks.reduce((n, c) => n + c.length, 0);
        return send(202, { location: `/v2/${name}/blobs/uploads/${rest}`, range: `0-${Math.max(0, size - 1)}`, 'content-length': 0 });
      }
      if (method === 'PUT') {
        upload.chunks.push(body);
        const bytes = Buffer.concat(upload.chunks);
        const digest = url.searchParams.get('digest') ?? '';
        if (sha256(bytes) !== digest) return fail(400, 'DIGEST_INVALID', 'digest does not match');
        uploads.delete(rest);
        r.blobs.set(digest, bytes);
        return send(201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': 0 });
      }
      if (method === 'DELETE') {
        uploads.delete(rest);
        return send(204);
      }
    }
    if (kind === 'manifests') {
      const digestOfRef = rest.startsWith('sha256:') ? rest : r.tags.get(rest);
      if (method === 'GET' || method === 'HEAD') {
        const stored = digestOfRef ? r.manifests.get(digestOfRef) : undefined;
        if (!stored || !digestOfRef) return fail(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        return send(200, { 'content-type': stored.mediaType, 'docker-content-digest': digestOfRef, 'content-length': stored.bytes.length }, stored.bytes);
      }
      if (method === 'PUT') {
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (!MANIFEST_TYPES.has(mediaType)) return fail(400, 'MANIFEST_INVALID', `unsupported manifest media type ${mediaType}`);
        let doc: ParsedManifest;
        try {
          doc = JSON.parse(body.toString('utf8')) as ParsedManifest;
        } catch {
          return fail(400, 'MANIFEST_INVALID', 'manifest is not JSON');
        }
        const digest = sha256(body);
        if (rest.startsWith('sha256:') && rest !== digest) return fail(400, 'DIGEST_INVALID', 'manifest digest does not match');
        r.manifests.set(digest, { bytes: body, mediaType });
        if (!rest.startsWith('sha256:')) r.tags.set(rest, digest);
        const subject: Record<string, string> = apiOn && doc.subject?.digest ? { 'oci-subject': doc.subject.digest } : {};
        return send(201, { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest, 'content-length': 0, ...subject });
      }
      if (method === 'DELETE') {
        if (!digestOfRef || !r.manifests.has(digestOfRef)) return fail(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        if (rest.startsWith('sha256:')) {
          r.manifests.delete(digestOfRef);
          for (const [tag, d] of r.tags) if (d === digestOfRef) r.tags.delete(tag);
        } else {
          r.tags.delete(rest);
        }
        return send(202, { 'content-length': 0 });
      }
    }
    if (kind === 'tags/list' && method === 'GET') {
      return send(200, { 'content-type': 'application/json' }, JSON.stringify({ name, tags: [...r.tags.keys()].sort() }));
    }
    if (kind === 'referrers' && method === 'GET') {
      if (!apiOn) return send(404, { 'content-type': 'text/plain; charset=utf-8' }, '404 page not found\n');
      let all = referrers(r, rest);
      const wanted = url.searchParams.get('artifactType');
      const filtered = wanted !== null && options.applyArtifactTypeFilter !== false;
      if (filtered) all = all.filter((d) => d.artifactType === wanted);
      const pageSize = options.referrersPageSize ?? Math.max(1, all.length);
      const page = Number(url.searchParams.get('page') ?? '0');
      const items = all.slice(page * pageSize, (page + 1) * pageSize);
      const headers: Record<string, string> = { 'content-type': INDEX_TYPE };
      if (filtered) headers['oci-filters-applied'] = 'artifactType';
      if ((page + 1) * pageSize < all.length) {
        const next = new URLSearchParams(url.searchParams);
        next.set('page', String(page + 1));
        headers.link = `</v2/${name}/referrers/${rest}?${next.toString()}>; rel="next"`;
      }
      return send(200, headers, JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: items }));
    }
    return fail(405, 'UNSUPPORTED', `${method} not supported here`);
  }

  const server = createServer((req, res) => {
    void readBody(req).then(
      (body) => {
        try {
          handle(req, res, body);
        } finally {
          const url = new URL(req.url ?? '/', 'http://double');
          log.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, status: res.statusCode });
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const matches = (e: RecordedRequest, method?: string, path?: string | RegExp) =>
    (!method || e.method === method) && (path === undefined || (typeof path === 'string' ? e.path.includes(path) : path.test(e.path)));

  return {
    host,
    url: `http://${host}`,
    ref: (repoTag) => `${host}/${repoTag}`,
    requests: () => [...log],
    count: (method, path) => log.filter((e) => matches(e, method, path)).length,
    resetRequests: () => {
      log.length = 0;
    },
    failNext: (path, status, times = 1) => {
      faults.push({ path, status, left: times });
    },
    tags: (repository) => [...(repos.get(repository)?.tags.keys() ?? [])].sort(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
