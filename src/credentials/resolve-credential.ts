import { authFileLocations } from './auth-file-paths.js';
import { credHelperFor, credsStoreOf, decodeAuthEntry, readAuthFile, type AuthFile } from './auth-file.js';
import { findEntry, helperServerURL, normalizeAuthFileKey, normalizeRegistryHost } from './auth-keys.js';
import { describeCredential, type AuthCredential } from './credential.js';
import { helperGet } from './credential-helper.js';
import { resolveStoreOptions, type CredentialStoreOptions, type ResolvedStoreOptions } from './options.js';

/** Where the file lookup reads from; explicit and anonymous choices are made before it (credential-source.ts). */
export type ResolveCredentialOptions = CredentialStoreOptions;

/**
 * One file's answer. A namespaced entry ("host/team") is the most specific thing a
 * file can say. Otherwise a credHelpers entry for the host is authoritative for the
 * file, as in docker and containers/image. The global credsStore comes after a plain
 * host entry, so one written by another tool still counts, while docker's empty `{}`
 * markers fall through to the store that holds the secret.
 */
async function lookupInFile(
  file: AuthFile,
  host: string,
  repository: string | undefined,
  o: ResolvedStoreOptions,
): Promise<{ cred: AuthCredential; from: string } | undefined> {
  const { path, format } = file.location;
  const entry = findEntry(file.auths, host, repository, format);
  const fromEntry = () => {
    const cred = entry && decodeAuthEntry(path, entry.key, entry.value);
    return cred && entry ? { cred, from: `auths["${entry.key}"] in ${path}` } : undefined;
  };
  const namespaced = entry !== undefined && entry.key !== host && normalizeAuthFileKey(entry.key, format) === entry.key;
  if (namespaced) {
    const found = fromEntry();
    if (found) return found;
  }
  const helper = credHelperFor(file, host);
  if (helper) {
    const cred = await helperGet(helper, helperServerURL(host), o);
    return cred ? { cred, from: helper.origin } : undefined;
  }
  const found = namespaced ? undefined : fromEntry();
  if (found) return found;
  const store = credsStoreOf(file);
  if (store) {
    const cred = await helperGet(store, helperServerURL(host), o);
    if (cred) return { cred, from: store.origin };
  }
  return undefined;
}

/**
 * The credential the auth files (and the helpers they name) hold for
 * registryHost/repository. Files are read in the order of authFileLocations, and the
 * first with an answer wins. Resolves to undefined for anonymous access.
 */
export async function resolveCredential(
  registryHost: string,
  repository: string | undefined,
  options: ResolveCredentialOptions = {},
): Promise<AuthCredential | undefined> {
  const o = resolveStoreOptions(options);
  const host = normalizeRegistryHost(registryHost);
  for (const location of authFileLocations(o)) {
    const file = await readAuthFile(location);
    if (!file) continue;
    const found = await lookupInFile(file, host, repository, o);
    if (found) {
      o.debug(`using ${describeCredential(found.cred)} for ${host} from ${found.from}`);
      return found.cred;
    }
  }
  o.debug(`no credentials for ${host}; accessing it anonymously`);
  return undefined;
}
