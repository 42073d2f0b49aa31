import { UsageError } from '../errors.js';

/**
 * How registry hosts are spelled in `auths` and `credHelpers` keys, and which key a
 * lookup for host + repository picks.
 */

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);
/** The key docker writes for Docker Hub, and the server URL it gives helpers. */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

export function normalizeRegistryHost(host: string): string {
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The server URL given to credential helpers: docker's spelling, so helpers share entries with docker. */
export function helperServerURL(host: string): string {
  return normalizeRegistryHost(host) === DOCKER_HUB ? DOCKER_HUB_SERVER_URL : host;
}

/**
 * Reduces a key docker or an old tool wrote ("https://host/v1/", "http://host",
 * "host/v2/", "index.docker.io") to the host it stands for. Keys that name a
 * repository namespace ("host/team") are returned unchanged: they only match exactly.
 */
export function normalizeAuthFileKey(key: string, format: 'config' | 'legacy' = 'config'): string {
  const stripped = key.replace(/^https?:\/\//, '');
  let host = stripped.replace(/\/+$/, '');
  if (stripped !== key || format === 'legacy' || /^[^/]+\/v[12]$/.test(host)) {
    host = host.split('/')[0] ?? '';
  }
  return normalizeRegistryHost(host);
}

/** Keys to try for host + repository, longest first: "host/a/b", "host/a", "host". */
export function candidateKeys(host: string, repository: string | undefined): string[] {
  const keys: string[] = [];
  const parts = repository ? repository.split('/') : [];
  for (let n = parts.length; n > 0; n--) keys.push(`${host}/${parts.slice(0, n).join('/')}`);
  keys.push(host);
  return keys;
}

/**
 * The entry for host + repository in a map keyed as in auth files: exact and namespaced
 * keys first (longest prefix wins, as in containers/image), then keys that normalize
 * to the host, in file order. Own properties only: "constructor" is not a registry.
 */
export function findEntry<T>(
  map: Record<string, T>,
  host: string,
  repository: string | undefined,
  format: 'config' | 'legacy' = 'config',
): { key: string; value: T } | undefined {
  const wanted = normalizeRegistryHost(host);
  const exact = format === 'legacy' ? [wanted] : candidateKeys(wanted, repository);
  for (const key of exact) {
    if (Object.hasOwn(map, key)) return { key, value: map[key] as T };
  }
  for (const [key, value] of Object.entries(map)) {
    if (normalizeAuthFileKey(key, format) === wanted) return { key, value };
  }
  return undefined;
}

/** What `ferry login` / `logout` was given: a registry host, or host/namespace as podman allows. */
export interface LoginKey {
  /** The key written into `auths`. */
  key: string;
  host: string;
  namespaced: boolean;
}

/** Accepts "host", "host:port", "host/namespace", and pasted URLs such as "https://host/v1/". */
export function parseLoginKey(input: string): LoginKey {
  const trimmed = input.trim();
  if (trimmed === '') throw new UsageError('registry must not be empty');
  if (/[\s@]/.test(trimmed)) throw new UsageError(`"${trimmed}" is not a registry; expected HOST[:PORT][/NAMESPACE]`);
  const schemeless = trimmed.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  // "host/v1" is an API URL docker users paste, not a namespace; normalizeAuthFileKey agrees.
  const parts = /^[^/]+\/v[12]$/.test(schemeless) ? [schemeless.split('/')[0] ?? ''] : schemeless.split('/');
  if (parts.some((p) => p === '')) throw new UsageError(`"${trimmed}" is not a registry; expected HOST[:PORT][/NAMESPACE]`);
  const host = normalizeRegistryHost(parts[0] ?? '');
  const rest = parts.slice(1);
  if (rest.length > 0 && rest.at(-1)?.includes(':')) {
    throw new UsageError(`"${trimmed}" names a tag; log in to a registry or repository namespace, not an image`);
  }
  return { key: [host, ...rest].join('/'), host, namespaced: rest.length > 0 };
}

/** Keys in `auths` that stand for exactly this login: the key itself and other spellings of a bare host. */
export function keysForLogin(map: Record<string, unknown>, login: LoginKey): string[] {
  return Object.keys(map).filter(
    (k) => k === login.key || (!login.namespaced && normalizeAuthFileKey(k) === login.host),
  );
}
