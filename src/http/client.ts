import { Readable } from 'node:stream';
import { AbortedError, FerryError } from '../errors.js';
import { Authenticator } from './auth.js';
import { systemClock, type Clock } from './clock.js';
import { discard, readBounded } from './body.js';
import { MAX_ERROR_BODY_BYTES } from '../oci/limits.js';
import type { CredentialProvider } from './credential.js';
import { redactUrl } from './redact.js';
import { registryError } from './registry-errors.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, RetryAfterError, retryableStatuses, withRetries, type RetryPolicy } from './retry.js';
import { describeTlsError, isLoopbackHost, loadTlsMaterial, type TlsOptions } from './tls.js';
import type { HostGate } from './host-gate.js';
import type { Answer, Sender } from './node-http.js';
import { openSender } from './sender.js';

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RegistryClientOptions {
  credentials?: CredentialProvider;
  tls?: TlsOptions;
  retry?: RetryPolicy;
  /** No bytes for this long on an open response or request ends it (and a retry may follow). Default 30 s. */
  stallTimeoutMs?: number;
  userAgent?: string;
  /** --debug sink; receives redacted lines only. */
  log?: (line: string) => void;
  /** Time for token expiry and retry waits; tests inject a fake one. Default: the system clock. */
  clock?: Clock;
  /** Shared with every other client of this host: a 429 pauses them all. */
  gate?: HostGate;
}

export interface RequestSpec {
  method: Method;
  /** "/v2/…" on this registry, or an absolute URL the registry handed out (upload Location). */
  path: string;
  scopes: string[];
  headers?: Record<string, string>;
  /** Called per attempt so a retry never replays a consumed stream. */
  body?: () => Buffer | Readable | undefined;
  /** Statuses that are answers, not errors (e.g. 404 for an existence check). */
  expect: number[];
  /** Verb phrase for errors: "reading manifest", "uploading blob sha256:…". */
  what: string;
  /** The location to name in errors. */
  location: string;
  signal?: AbortSignal;
  /** Retry on transient failures; default: GET, HEAD, PUT and DELETE, or any request whose body is a Buffer. */
  retry?: boolean;
  /** Streamed uploads: how long to wait for the answer after the last byte sent (default: the stall timeout). */
  headersTimeoutMs?: number;
}

/** A registry answer. The body is a plain Readable: undici's own body type stays in http/. */
export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Read it to the end, or call discard(); an abandoned body holds its connection. */
  body: Readable;
  url: URL;
  /** Drops the body (reading at most a small amount) so the connection goes back to the pool; never throws. */
  discard(): Promise<void>;
}

const MAX_REDIRECTS = 5;
/** A connection that delivered nothing for this long is dead in practice. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/**
 * One registry host: connection pool, TLS, auth state, retries, redirects. Everything
 * that speaks HTTP to a registry goes through request(); it knows no protocol beyond
 * "/v2/" and auth.
 */
export class RegistryClient {
  readonly host: string;
  /** Made once the TLS material is read: the pools take it when they are built. */
  private sender: Sender | undefined;
  private readonly auth: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly log: ((line: string) => void) | undefined;
  private readonly userAgent: string;
  private base: Promise<URL> | undefined;
  private senderReady: Promise<void> | undefined;

  constructor(host: string, private readonly opts: RegistryClientOptions = {}) {
    this.host = host;
    this.retry = opts.retry ?? defaultRetryPolicy;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.userAgent = opts.userAgent ?? 'ferry/0.1';
    const client = this;
    this.auth = new Authenticator({
      registry: host,
      credentials: opts.credentials ?? (async () => undefined),
      // token requests come after the ping, so the sender exists by then
      get sender() {
        return client.ready;
      },
      allowInsecureRealm: opts.tls?.verify === false,
      userAgent: this.userAgent,
      log: this.log,
      now: () => this.clock.now(),
    });
  }

  get stallTimeoutMs(): number {
    return this.opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  }

  get authenticator(): Authenticator {
    return this.auth;
  }

  private get ready(): Sender {
    if (!this.sender) throw new Error(`RegistryClient for ${this.host} used before its TLS settings were loaded`);
    return this.sender;
  }

  /** Reads the TLS material (async), then builds the sender with it. */
  private async prepareTls(): Promise<void> {
    this.senderReady ??= loadTlsMaterial(this.host, this.opts.tls ?? { verify: true }).then(async (tls) => {
      const stall = this.stallTimeoutMs;
      this.sender = await openSender(tls, { headersTimeoutMs: stall, bodyTimeoutMs: stall, keepAliveMs: 10_000 });
    });
    return this.senderReady;
  }

  /** https, or http for loopback (tried first) / --tls-verify=false when the server does not speak TLS. */
  baseUrl(signal?: AbortSignal): Promise<URL> {
    this.base ??= this.ping(signal);
    this.base.catch(() => {
      this.base = undefined;
    });
    return this.base;
  }

  private async ping(signal?: AbortSignal): Promise<URL> {
    await this.prepareTls();
    const loopback = isLoopbackHost(this.host);
    const insecureOk = this.opts.tls?.verify === false || loopback;
    const https = new URL(`https://${this.host}/v2/`);
    const http = new URL(`http://${this.host}/v2/`);
    // A registry on loopback is nearly always plain HTTP, and a failed TLS attempt is not
    // cheap for Node (~35 CPU-ms per run: TLS modules, root store, handshake). One plain
    // GET without retries settles it; a TLS server answers it 400 or hangs up, and the
    // usual order follows.
    if (loopback && (await this.pingPlain(http, signal))) return new URL(http.origin);
    try {
      return await this.pingAt(https, signal);
    } catch (e) {
      if (e instanceof FerryError && e.code !== 'ERR_NETWORK') throw e;
      if (!insecureOk) throw e;
      return await this.pingAt(http, signal);
    }
  }

  /** Whether `url` answers as a registry (200, or 401 with its challenge); any failure is a no. */
  private async pingPlain(url: URL, signal?: AbortSignal): Promise<boolean> {
    let res: Answer;
    try {
      res = await this.send('GET', url, {}, undefined, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      return false;
    }
    await discard(res.body);
    this.log?.(`ping ${url.origin} -> ${res.statusCode}`);
    if (res.statusCode === 401) this.auth.setChallenge(res.headers['www-authenticate']);
    return res.statusCode === 200 || res.statusCode === 401;
  }

  private async pingAt(url: URL, signal?: AbortSignal): Promise<URL> {
    const res = await withRetries(this.retry, () => this.send('GET', url, {}, undefined, signal), { signal, clock: this.clock });
    await discard(res.body);
    this.log?.(`ping ${url.origin} -> ${res.statusCode}`);
    if (res.statusCode === 401) this.auth.setChallenge(res.headers['www-authenticate']);
    else if (res.statusCode !== 200) throw registryError('pinging registry', this.host, res.statusCode, undefined);
    return new URL(url.origin);
  }

  private async send(method: Method, url: URL, headers: Record<string, string>, body: Buffer | Readable | undefined, signal?: AbortSignal, headersTimeout?: number): Promise<Answer> {
    const started = Date.now();
    try {
      const res = await this.ready.send(method, url, { 'user-agent': this.userAgent, ...headers }, body, signal, headersTimeout);
      this.log?.(`HTTP ${method} ${redactUrl(url)} -> ${res.statusCode} (${Date.now() - started} ms)`);
      return res;
    } catch (e) {
      if (signal?.aborted) throw new AbortedError();
      // a body that failed on purpose (a stalled upload) already says what happened
      if (e instanceof FerryError) throw e;
      const tls = describeTlsError(this.host, e);
      if (tls) throw tls;
      this.log?.(`HTTP ${method} ${redactUrl(url)} failed: ${(e as Error).message}`);
      throw new FerryError('ERR_NETWORK', `cannot reach ${url.host} (${method} ${url.pathname}): ${describeNetworkError(e)}`, { cause: e });
    }
  }

  /** Sends a request with auth, redirects and retries; throws a RegistryError for unexpected statuses. */
  async request(spec: RequestSpec): Promise<Response> {
    try {
      return await this.requestOnce(spec);
    } catch (e) {
      throw withStep(e, spec);
    }
  }

  private async requestOnce(spec: RequestSpec): Promise<Response> {
    const base = await this.baseUrl(spec.signal);
    const retryable = spec.retry ?? (spec.method === 'GET' || spec.method === 'HEAD' || spec.method === 'PUT' || spec.method === 'DELETE');
    const policy = retryable ? this.retry : { ...this.retry, retries: 0 };
    let scopes = spec.scopes;
    let authRetried = false;
    return withRetries(
      policy,
      async () => {
        for (;;) {
          await this.opts.gate?.wait(spec.signal);
          const res = await this.attempt(spec, new URL(spec.path, base), scopes, base.host);
          if (res.status === 401 && !authRetried) {
            authRetried = true;
            const next = this.auth.onUnauthorized(res.headers['www-authenticate'], scopes, res.sentAuth);
            if (next) {
              await discard(res.body);
              scopes = next;
              continue;
            }
          }
          if (spec.expect.includes(res.status)) return { status: res.status, headers: res.headers, body: res.body, url: res.url, discard: res.discard };
          const errBody = spec.method === 'HEAD' ? undefined : await readBounded(res.body, MAX_ERROR_BODY_BYTES, spec.what).catch(() => undefined);
          const err = registryError(spec.what, spec.location, res.status, errBody);
          const after = parseRetryAfter(res.headers['retry-after'], this.clock.now());
          if (res.status === 429) {
            const pause = Math.min(after ?? backoffDelay(this.retry, 0), this.retry.maxRetryAfterMs);
            this.opts.gate?.pause(pause);
            this.log?.(`${this.host} answered 429: every request to it waits ${pause} ms`);
          }
          if (retryableStatuses.has(res.status) && after !== undefined) throw new RetryAfterError(err, after);
          throw err;
        }
      },
      { signal: spec.signal, clock: this.clock, onRetry: (e, n, d) => this.log?.(`retry ${n} of ${spec.what} in ${d} ms: ${(e as Error).message}`) },
    );
  }

  private async attempt(spec: RequestSpec, url: URL, scopes: string[], ownHost: string): Promise<Response & { sentAuth: boolean }> {
    let current = url;
    let sentAuth = false;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...spec.headers };
      // Authorization only ever goes to the registry's own origin, never to a redirect target.
      // `ownHost` is the host as URL spells it (lower case, default port dropped), not as the user wrote it.
      const sameHost = current.host === ownHost;
      if (sameHost) {
        const authz = await this.auth.header(scopes, spec.signal);
        if (authz) {
          headers['authorization'] = authz;
          sentAuth = true;
        }
      }
      const body = hop === 0 ? spec.body?.() : undefined;
      const res = await this.send(spec.method, current, headers, body, spec.signal, spec.headersTimeoutMs);
      const location = res.headers['location'];
      const isRedirect = [301, 302, 303, 307, 308].includes(res.statusCode) && !spec.expect.includes(res.statusCode);
      if (isRedirect && typeof location === 'string' && (spec.method === 'GET' || spec.method === 'HEAD')) {
        await discard(res.body);
        if (hop >= MAX_REDIRECTS) throw new FerryError('ERR_REGISTRY', `${spec.what} ${spec.location}: too many redirects`);
        current = new URL(location, current);
        continue;
      }
      const answer = res.body;
      return { status: res.statusCode, headers: res.headers, body: answer, url: current, sentAuth, discard: () => discard(answer) };
    }
  }

  async close(): Promise<void> {
    await this.senderReady?.catch(() => undefined);
    await this.sender?.close();
  }
}

/**
 * A network failure says which step of which location it broke ("uploading blob … to
 * docker://dest"), so the side is plain; status failures already do (RegistryError).
 */
function withStep(e: unknown, spec: RequestSpec): unknown {
  if (!(e instanceof FerryError) || e.code !== 'ERR_NETWORK' || !e.message.startsWith('cannot reach ')) return e;
  return new FerryError('ERR_NETWORK', `${spec.what} ${spec.location}: ${e.message}`, { cause: e.cause });
}

function describeNetworkError(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code && err.code !== 'UND_ERR' ? err.code : err.cause?.code;
  const msg = err.cause?.message ?? err.message ?? String(e);
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME') return `host name does not resolve (${msg.includes(code) ? msg : `${code} ${msg}`})`;
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}
