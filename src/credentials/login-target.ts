import { dockerConfigFile, loginAuthFile, type AuthFileLocation } from './auth-file-paths.js';
import { credHelperFor, credsStoreOf, readAuthFile } from './auth-file.js';
import type { LoginKey } from './auth-keys.js';
import type { HelperRef } from './credential-helper.js';
import type { ResolvedStoreOptions } from './options.js';

/** Where `login` puts a credential and `logout` takes it from. */
export interface LoginTarget {
  /** The auth file written (or cleaned) either way. */
  file: AuthFileLocation;
  /** When set, the secret goes to this helper instead of the file. */
  helper: HelperRef | undefined;
}

/**
 * The auth file is the explicit one or containers' default. A credential helper takes
 * over when that file, or (without an explicit file) docker's config.json, names one
 * for the host or has a credsStore: a user who set up a keychain does not want
 * passwords in plain files. Helpers are keyed by host, so namespaced logins always
 * go to the file.
 */
export async function loginTarget(login: LoginKey, o: ResolvedStoreOptions): Promise<LoginTarget> {
  const file = loginAuthFile(o);
  if (login.namespaced) return { file, helper: undefined };
  const configs = o.authFile ? [file] : [file, dockerConfigFile(o)];
  for (const location of configs) {
    const parsed = await readAuthFile(location);
    const helper = parsed && (credHelperFor(parsed, login.host) ?? credsStoreOf(parsed));
    if (helper) return { file, helper };
  }
  return { file, helper: undefined };
}
