import { resolveCredential, parseCredsFlag } from '../credentials/index.js';
import { UsageError } from '../errors.js';
import type { CredentialProvider } from '../http/credential.js';
import { defaultRetryPolicy, type RetryPolicy } from '../http/retry.js';
import type { Location } from '../reference/location.js';
import { formatLocation, parseLocation } from '../reference/location.js';
import { ClientPool } from './registry/client-pool.js';
import { RegistryDestination } from './registry/destination.js';
import { RegistrySource } from './registry/source.js';
import type { ImageDestination, ImageSource } from './types.js';
import type { RegistryClient } from '../http/client.js';

/** Per-side connection settings (skopeo's --src- and --dest- flags). */
export interface SideOptions {
  /** "USER:PASSWORD" */
  creds?: string;
  registryToken?: string;
  noCreds?: boolean;
  authFile?: string;
  /** false: skip TLS verification and allow plain HTTP. */
  tlsVerify?: boolean;
  certDir?: string;
  /**
   * `oci:` only: blobs (manifests included) live in DIR/<algorithm>/<hex> instead of the
   * layout's blobs/ folder, as containers/image does for --src/dest-shared-blob-dir.
   */
  sharedBlobDir?: string;
}

/** Settings shared by every connection of one operation. */
export interface SessionOptions {
  /** Reuse connections and tokens across calls; closed by whoever made it. */
  pool?: ClientPool;
  /** Retries for transient HTTP failures (skopeo's --retry-times). */
  retryTimes?: number;
  /** Stops opening (a compressed archive's index pass) as well as requests. */
  signal?: AbortSignal;
  /** Fixed wait between retries in ms (skopeo's --retry-delay); unset or 0: exponential backoff. */
  retryDelayMs?: number;
  /** --debug sink; redacted lines only. */
  log?: (line: string) => void;
  /** Environment for credential lookup (tests inject it). */
  env?: Readonly<Record<string, string | undefined>>;
  homedir?: string;
  stallTimeoutMs?: number;
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

/** The shared client for a registry, with credentials resolved lazily on the first challenge. */
export function registryClient(registry: string, repository: string, side: SideOptions, session: SessionOptions, pool: ClientPool): RegistryClient {
  const explicit = side.creds !== undefined ? parseCredsFlag(side.creds) : undefined;
  const credentials: CredentialProvider = () =>
    resolveCredential(registry, repository, {
      credential: explicit,
      registryToken: side.registryToken,
      noCreds: side.noCreds,
      authFile: side.authFile,
      env: session.env,
      homedir: session.homedir,
      debug: session.log,
    });
  const identity = JSON.stringify([side.creds, side.registryToken, side.noCreds, side.authFile, side.tlsVerify, side.certDir]);
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
    return new RegistrySource(loc.ref, client, formatLocation(loc));
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
    return new RegistryDestination(loc.ref, client, formatLocation(loc));
  }
  const { openLocalDestination } = await import('./open-local.js');
  return openLocalDestination(loc, { ...(side.sharedBlobDir ? { sharedBlobDir: side.sharedBlobDir } : {}), ...extras });
}
