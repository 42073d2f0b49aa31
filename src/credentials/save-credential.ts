import { checkWritable } from './auth-file-paths.js';
import { encodeAuthEntry } from './auth-file.js';
import { helperServerURL, parseLoginKey } from './auth-keys.js';
import type { AuthCredential } from './credential.js';
import { helperProgram, helperStore, type HelperRef } from './credential-helper.js';
import { loginTarget } from './login-target.js';
import { resolveStoreOptions, type CredentialStoreOptions } from './options.js';
import { deleteLoginEntries, setLoginEntry, updateAuthFile } from './update-auth-file.js';

/** Where `login` put a credential, or where `logout` removed one from; for the CLI to report. */
export type CredentialDestination =
  | { kind: 'file'; path: string }
  | { kind: 'helper'; helper: string; origin: string };

export function helperDestination(ref: HelperRef): CredentialDestination {
  return { kind: 'helper', helper: helperProgram(ref.name), origin: ref.origin };
}

/**
 * `ferry login`: stores the credential for a registry host (or "host/namespace") in
 * the login auth file, or in the credential helper configured for the host (see
 * loginTarget). The file is rewritten atomically with mode 0600, other entries and
 * unknown fields untouched.
 */
export async function saveCredential(
  registry: string,
  credential: AuthCredential,
  options: CredentialStoreOptions = {},
): Promise<CredentialDestination> {
  const o = resolveStoreOptions(options);
  const login = parseLoginKey(registry);
  const target = await loginTarget(login, o);
  if (target.helper) {
    await helperStore(target.helper, helperServerURL(login.host), credential, o);
    // The auth file is read before docker's helpers; an old plain entry there would shadow this login.
    await updateAuthFile(target.file, (doc) => deleteLoginEntries(doc, login));
    o.debug(`stored credentials for ${login.key} with ${target.helper.origin}`);
    return helperDestination(target.helper);
  }
  await checkWritable(target.file, o);
  await updateAuthFile(target.file, (doc) => setLoginEntry(doc, login, encodeAuthEntry(credential)));
  o.debug(`stored credentials for ${login.key} in ${target.file.path}`);
  return { kind: 'file', path: target.file.path };
}
