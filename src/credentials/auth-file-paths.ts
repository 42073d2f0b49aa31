import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { resolveStoreOptions, type CredentialStoreOptions, type ResolvedStoreOptions } from './options.js';

/** Where an auth file location came from; shown in messages so users know which rule picked it. */
export type AuthFileSource =
  | 'authfile'
  | 'REGISTRY_AUTH_FILE'
  | 'XDG_RUNTIME_DIR'
  | 'user-config'
  | 'docker-config'
  | 'docker-legacy';

export interface AuthFileLocation {
  path: string;
  source: AuthFileSource;
  /**
   * 'config' is `{"auths": {...}, "credHelpers": {...}, ...}` (containers auth.json and
   * docker config.json); 'legacy' is docker's old ~/.dockercfg, the auths map itself.
   */
  format: 'config' | 'legacy';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function xdgRuntimeFile(o: ResolvedStoreOptions): AuthFileLocation | undefined {
  const dir = nonEmpty(o.env.XDG_RUNTIME_DIR);
  return dir ? { path: join(dir, 'containers', 'auth.json'), source: 'XDG_RUNTIME_DIR', format: 'config' } : undefined;
}

function userConfigFile(o: ResolvedStoreOptions): AuthFileLocation {
  const configHome = nonEmpty(o.env.XDG_CONFIG_HOME) ?? join(o.homedir, '.config');
  return { path: join(configHome, 'containers', 'auth.json'), source: 'user-config', format: 'config' };
}

/** docker's config.json: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigFile(o: ResolvedStoreOptions): AuthFileLocation {
  const dir = nonEmpty(o.env.DOCKER_CONFIG) ?? join(o.homedir, '.docker');
  return { path: join(dir, 'config.json'), source: 'docker-config', format: 'config' };
}

/**
 * The files a lookup reads, in order; the first that has an answer wins. With
 * `--authfile` or REGISTRY_AUTH_FILE only that file, as skopeo and podman do.
 */
export function authFileLocations(o: ResolvedStoreOptions): AuthFileLocation[] {
  if (o.authFile) return [{ path: o.authFile.path, source: o.authFile.source, format: 'config' }];
  const runtime = xdgRuntimeFile(o);
  return [
    ...(runtime ? [runtime] : []),
    userConfigFile(o),
    dockerConfigFile(o),
    { path: join(o.homedir, '.dockercfg'), source: 'docker-legacy', format: 'legacy' },
  ];
}

/**
 * The file `login` writes and `logout` edits: the explicit one, else skopeo's default
 * $XDG_RUNTIME_DIR/containers/auth.json, else ~/.config/containers/auth.json.
 */
export function loginAuthFile(o: ResolvedStoreOptions): AuthFileLocation {
  if (o.authFile) return { path: o.authFile.path, source: o.authFile.source, format: 'config' };
  return xdgRuntimeFile(o) ?? userConfigFile(o);
}

/**
 * A set but missing XDG_RUNTIME_DIR is a typo or a session without a runtime dir;
 * creating it would leave credentials in a directory nobody cleans up, so say so
 * instead (containers/image refuses the same way).
 */
export async function checkWritable(location: AuthFileLocation, o: ResolvedStoreOptions): Promise<void> {
  if (location.source !== 'XDG_RUNTIME_DIR') return;
  const dir = o.env.XDG_RUNTIME_DIR ?? '';
  try {
    await stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new FerryError(
      'ERR_CREDENTIALS',
      `XDG_RUNTIME_DIR is set to ${dir}, which does not exist`,
      { hint: 'create it, unset XDG_RUNTIME_DIR or name an auth file with `authFile`' },
    );
  }
}

/** The files resolveCredential reads, in order; for `--debug` output and docs. */
export function authFileSearchPath(options: CredentialStoreOptions = {}): AuthFileLocation[] {
  return authFileLocations(resolveStoreOptions(options));
}

/** The file saveCredential writes unless a credential helper takes over. */
export function loginAuthFilePath(options: CredentialStoreOptions = {}): AuthFileLocation {
  return loginAuthFile(resolveStoreOptions(options));
}
