import { FerryError } from '../errors.js';
import { authFileLocations, loginAuthFile } from './auth-file-paths.js';
import { readAuthFile } from './auth-file.js';
import { helperServerURL, keysForLogin, parseLoginKey, type LoginKey } from './auth-keys.js';
import { helperErase } from './credential-helper.js';
import { loginTarget } from './login-target.js';
import { resolveStoreOptions, type CredentialStoreOptions, type ResolvedStoreOptions } from './options.js';
import { helperDestination, type CredentialDestination } from './save-credential.js';
import { clearEntries, deleteLoginEntries, updateAuthFile } from './update-auth-file.js';

/**
 * Like podman's "not logged into": and when another file that ferry reads still has
 * an entry, says which, since logout only edits the login file.
 */
async function notLoggedIn(login: LoginKey, o: ResolvedStoreOptions, target: string): Promise<FerryError> {
  let hint: string | undefined;
  for (const location of authFileLocations(o)) {
    if (location.path === target || location.format !== 'config') continue;
    const file = await readAuthFile(location).catch(() => undefined);
    if (!file || keysForLogin(file.auths, login).length === 0) continue;
    hint =
      location.source === 'docker-config'
        ? `its credentials in ${location.path} were saved by docker login, use docker logout`
        : `it has credentials in ${location.path}: use \`authFile\` ${location.path}`;
    break;
  }
  return new FerryError('ERR_CREDENTIALS', `not logged into ${login.key}`, hint ? { hint } : {});
}

/**
 * `ferry logout REGISTRY`: removes the host's entry (every spelling of it) from the
 * login auth file and erases it from the credential helper login would have used.
 * Nothing to remove is an error. Resolves to the places it was removed from.
 */
export async function removeCredential(registry: string, options: CredentialStoreOptions = {}): Promise<CredentialDestination[]> {
  const o = resolveStoreOptions(options);
  const login = parseLoginKey(registry);
  const target = await loginTarget(login, o);
  const removed: CredentialDestination[] = [];
  if (target.helper && (await helperErase(target.helper, helperServerURL(login.host), o))) {
    removed.push(helperDestination(target.helper));
  }
  if (await updateAuthFile(target.file, (doc) => deleteLoginEntries(doc, login))) {
    removed.push({ kind: 'file', path: target.file.path });
  }
  if (removed.length === 0) throw await notLoggedIn(login, o, target.file.path);
  return removed;
}

/**
 * `ferry logout --all`: empties `auths` in the login auth file, as podman does, and
 * keeps its other fields. Secrets held by credential helpers stay: erasing a whole
 * keychain is not ferry's call; `ferry logout REGISTRY` removes them one by one.
 * Resolves to the keys removed (none is not an error).
 */
export async function removeAllCredentials(options: CredentialStoreOptions = {}): Promise<string[]> {
  const o = resolveStoreOptions(options);
  let removed: string[] = [];
  await updateAuthFile(loginAuthFile(o), (doc) => {
    removed = clearEntries(doc);
    return removed.length > 0;
  });
  return removed;
}
