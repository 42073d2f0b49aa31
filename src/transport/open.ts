import { credentialProvider, type Credentials } from '../credentials/index.js';
import { UsageError } from '../errors.js';
import { defaultRetryPolicy, type RetryPolicy } from '../http/retry.js';
import type { Location } from '../reference/location.js';
import { formatLocation, parseLocation } from '../reference/location.js';
import { ClientPool } from './registry/client-pool.js';
import { RegistryDestination } from './registry/destination.js';
import { RegistrySource } from './registry/source.js';
import type { ImageDestination, ImageSource } from './types.js';
import type { RegistryClient } from '../http/client.js';

/** How to reach one side of an operation (skopeo's --src- and --dest- flags). */
export interface SideOptions {
  /**
   * `{ username, password }`, `{ token }` (a bearer token sent as is), or a callback
   * asked once per registry, e.g. a cloud registry's token function. Without it (or
   * when the callback answers undefined) the auth files and credential helpers are read.
   */
  credentials?: Credentials;
  /** Access the registry anonymously, whatever the auth files say. */
  anonymous?: boolean;
  /** Read credentials only from this auth file. */
  authFile?: string;
  /** false: skip TLS verification and allow plain HTTP. */
  tlsVerify?: boolean;
  /** A certs.d-style folder: *.crt CAs, and a client *.cert/*.key pair. */
  certDir?: string;
  /**
   * `oci:` only: blobs (manifests included) live in DIR/<algorithm>/<hex> instead of the
   * layout's blobs/ folder, as containers/image does for --src/dest-shared-blob-dir.
   */
  sharedBlobDir?: string;
}

/** Settings shared by every connection of one operation. */
export interface SessionOptions {
  /**
   * Reuse connections and tokens across calls; closed by whoever made it.
   * @internal Not part of the public API yet: a shared pool also keeps credentials
   * from callbacks for its whole life, which a long-lived program must be able to refresh.
   */
  pool?: ClientPool;
  /** Retries for transient HTTP failures after the first attempt (skopeo's --retry-times); default 3. */
  retryTimes?: number;
  /** Stops opening (a compressed archive's index pass) as well as requests. */
  signal?: AbortSignal;
  /** Fixed wait between retries (skopeo's --retry-delay); default: exponential backoff. */
  retryDelayMs?: number;
  /** Debug sink: one line per HTTP request and credential decision, secrets redacted. */
  log?: (line: string) => void;
  /** Environment for the auth-file lookup and credential helpers; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home folder for the auth-file lookup; default env.HOME, then os.homedir(). */
  homedir?: string;
  /**
   * A connection that moves no data for this long is dropped (default 30 000): a
   * download resumes by Range, an upload fails and is retried from the source.
   */
  stallTimeoutMs?: number;
  /** User-Agent header; default "ferry/<version>". */
  userAgent?: string;
}

export function toLocation(input: string | Location): Location {
  return typeof input === 'string' ? parseLocation(input) : input;
}

/** The tag or ref name a destination location asks the root to be stored under. */
export function destinationTag(loc: Location): string | undefined {
  switch (loc.kind) {
    case 'docker':
      return loc.ref.digest ? undefined : loc.ref.tag;
    case 'dir':
      return undefined;
    default:
      return loc.ref;
  }
}

/** The HTTP retry policy a session asks for (--retry-times, --retry-delay). */
export function retryPolicyFor(session: SessionOptions): RetryPolicy {
  const policy: RetryPolicy = { ...defaultRetryPolicy, retries: session.retryTimes ?? defaultRetryPolicy.retries };
  if (session.retryDelayMs) policy.fixedDelayMs = session.retryDelayMs;
  return policy;
}

/**
 * Which client of a pool a side uses. Equal credential values share one (so a copy
 * inside one registry with the same user on both sides fetches each token once); a
 * callback is known by identity. The key stays in memory, never in a log.
 */
const callbackIds = new WeakMap<object, number>();
let nextCallbackId = 1;
function credentialIdentity(c: Credentials | undefined): unknown {
  if (c === undefined) return undefined;
  if (typeof c !== 'function') return 'token' in c ? ['token', c.token] : ['basic', c.username, c.password];
  let id = callbackIds.get(c);
  if (id === undefined) callbackIds.set(c, (id = nextCallbackId++));
  return ['callback', id];
}

/** The shared client for a registry, with credentials resolved lazily on the first challenge. */
export function registryClient(registry: string, repository: string, side: SideOptions, session: SessionOptions, pool: ClientPool): RegistryClient {
  const stall = session.stallTimeoutMs;
  if (stall !== undefined && !(Number.isFinite(stall) && stall > 0)) throw new UsageError(`stallTimeoutMs must be a positive number of milliseconds, not ${String(stall)}`);
  const credentials = credentialProvider(registry, repository, side, { authFile: side.authFile, env: session.env, homedir: session.homedir, debug: session.log });
  const identity = JSON.stringify([credentialIdentity(side.credentials), side.anonymous, side.authFile, side.tlsVerify, side.certDir]);
  return pool.get(registry, identity, {
    credentials,
    tls: { verify: side.tlsVerify !== false, ...(side.certDir ? { certDir: side.certDir } : {}) },
    retry: retryPolicyFor(session),
    log: session.log,
    stallTimeoutMs: session.stallTimeoutMs,
    userAgent: session.userAgent,
  });
}

/**
 * Settings that only some kinds take are refused for the others rather than ignored
 * (skopeo 1.9.3 ignores --additional-tag for a registry; a script then loses a name silently).
 */
export function checkLocationOptions(input: string | Location, side: SideOptions, extras: DestinationExtras = {}): void {
  const loc = toLocation(input);
  if (side.sharedBlobDir !== undefined && loc.kind !== 'oci') {
    throw new UsageError(`a shared blob directory applies to oci: locations only, not ${formatLocation(loc)}`);
  }
  if (extras.additionalTags?.length && loc.kind !== 'docker-archive') {
    throw new UsageError(`additional tags apply to docker-archive: destinations only, not ${formatLocation(loc)}`);
  }
}

export async function openSource(input: string | Location, side: SideOptions, session: SessionOptions, pool: ClientPool): Promise<ImageSource> {
  const loc = toLocation(input);
  checkLocationOptions(loc, side);
  if (loc.kind === 'docker') {
    const client = registryClient(loc.ref.registry, loc.ref.repository, side, session, pool);
    return new RegistrySource(loc.ref, client, formatLocation(loc), pool.notesFor(loc.ref.registry));
  }
  // local formats (tar readers and writers) load only when a local location is used
  const { openLocalSource } = await import('./open-local.js');
  return openLocalSource(loc, { ...(side.sharedBlobDir ? { sharedBlobDir: side.sharedBlobDir } : {}), ...(session.signal ? { signal: session.signal } : {}) });
}

/** What only some local destinations take (docker-archive: extra names). */
export interface DestinationExtras {
  additionalTags?: string[];
}

export async function openDestination(
  input: string | Location,
  side: SideOptions,
  session: SessionOptions,
  pool: ClientPool,
  extras: DestinationExtras = {},
): Promise<ImageDestination> {
  const loc = toLocation(input);
  checkLocationOptions(loc, side, extras);
  if (loc.kind === 'docker') {
    const client = registryClient(loc.ref.registry, loc.ref.repository, side, session, pool);
    return new RegistryDestination(loc.ref, client, formatLocation(loc), pool.notesFor(loc.ref.registry));
  }
  const { openLocalDestination } = await import('./open-local.js');
  return openLocalDestination(loc, { ...(side.sharedBlobDir ? { sharedBlobDir: side.sharedBlobDir } : {}), ...extras });
}
