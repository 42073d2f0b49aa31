import type { OperationOptions } from '../events.js';
import { removeAllCredentials, removeCredential, resolveCredential, saveCredential, toAuthCredential, type CredentialDestination } from '../credentials/index.js';
import { FerryError } from '../errors.js';
import { checkRegistryLogin } from '../transport/login-check.js';
import type { SessionOptions } from '../transport/open.js';

/** Options of {@link logout} and {@link logoutAll}. */
export interface LogoutRequest extends OperationOptions, Pick<SessionOptions, 'log' | 'env' | 'homedir'> {
  /** The auth file to change instead of the default search path. */
  authFile?: string;
}

/** Options of {@link login}. */
export interface LoginRequest extends LogoutRequest {
  /** The user name and password to check and save. */
  credential: { username: string; password: string };
  tlsVerify?: boolean;
  certDir?: string;
  /** Save without asking the registry first. */
  skipCheck?: boolean;
}

/** `ferry login`: checks the credential against the registry, then saves it (auth file or credential helper). */
export async function login(registry: string, request: LoginRequest): Promise<CredentialDestination> {
  const credential = toAuthCredential(request.credential, registry);
  if (!request.skipCheck) {
    await checkRegistryLogin(registry, credential, {
      ...(request.tlsVerify !== undefined ? { tlsVerify: request.tlsVerify } : {}),
      ...(request.certDir ? { certDir: request.certDir } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.log ? { log: request.log } : {}),
    });
  }
  return saveCredential(registry, credential, storeOptions(request));
}

/** Removes the saved credential for a registry; answers where it was removed from. */
export async function logout(registry: string, request: LogoutRequest = {}): Promise<CredentialDestination[]> {
  return removeCredential(registry, storeOptions(request));
}

/** Removes every saved credential; answers the files changed. */
export async function logoutAll(request: LogoutRequest = {}): Promise<string[]> {
  return removeAllCredentials(storeOptions(request));
}

function storeOptions(o: LogoutRequest) {
  return { authFile: o.authFile, env: o.env, homedir: o.homedir, debug: o.log, signal: o.signal };
}

/** `login --get-login`: the user name saved for a registry (files and helpers), without asking the registry. */
export async function loggedInUser(registry: string, request: LogoutRequest = {}): Promise<string> {
  const credential = await resolveCredential(registry, undefined, storeOptions(request));
  const username = credential && credential.kind !== 'registry-token' ? credential.username : undefined;
  if (!username) throw new FerryError('ERR_CREDENTIALS', `not logged into ${registry}`);
  return username;
}
