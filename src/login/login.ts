import { FerryError } from '../errors.js';
import { removeAllCredentials, removeCredential, resolveCredential, saveCredential, type CredentialDestination } from '../credentials/index.js';
import type { Credential } from '../http/credential.js';
import { RegistryClient } from '../http/client.js';
import { DOCKER_HUB, DOCKER_HUB_API } from '../reference/docker-reference.js';
import type { SessionOptions } from '../transport/open.js';

export interface LoginRequest extends SessionOptions {
  authFile?: string;
  tlsVerify?: boolean;
  certDir?: string;
  signal?: AbortSignal;
  /** Save without asking the registry first. */
  skipCheck?: boolean;
}

/** Asks the registry whether the credential works: a token (or Basic) request on /v2/. */
export async function checkCredential(registry: string, credential: Credential, request: LoginRequest = {}): Promise<void> {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const client = new RegistryClient(host, {
    credentials: async () => credential,
    tls: { verify: request.tlsVerify !== false, ...(request.certDir ? { certDir: request.certDir } : {}) },
    log: request.log,
  });
  try {
    const res = await client.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200], what: 'logging in to', location: registry, signal: request.signal });
    await res.body.dump();
    if (!client.authenticator.scheme) {
      request.log?.(`${registry} asks for no authentication; saving the credential anyway`);
    }
  } catch (e) {
    if (e instanceof FerryError && (e.code === 'ERR_UNAUTHORIZED' || e.code === 'ERR_DENIED')) {
      throw new FerryError('ERR_UNAUTHORIZED', `login to ${registry} failed: ${e.message}`);
    }
    throw e;
  } finally {
    await client.close();
  }
}

/** `ferry login`: checks the credential against the registry, then saves it. */
export async function login(registry: string, credential: Credential, request: LoginRequest = {}): Promise<CredentialDestination> {
  if (!request.skipCheck) await checkCredential(registry, credential, request);
  return saveCredential(registry, credential, { authFile: request.authFile, env: request.env, homedir: request.homedir, debug: request.log });
}

export async function logout(registry: string, request: LoginRequest = {}): Promise<CredentialDestination[]> {
  return removeCredential(registry, { authFile: request.authFile, env: request.env, homedir: request.homedir, debug: request.log });
}

export async function logoutAll(request: LoginRequest = {}): Promise<string[]> {
  return removeAllCredentials({ authFile: request.authFile, env: request.env, homedir: request.homedir, debug: request.log });
}

/** `login --get-login`: the user name saved for a registry, without asking the registry. */
export async function loggedInUser(registry: string, request: LoginRequest = {}): Promise<string> {
  const credential = await resolveCredential(registry, undefined, { authFile: request.authFile, env: request.env, homedir: request.homedir, debug: request.log });
  const username = credential && credential.kind !== 'registry-token' ? credential.username : undefined;
  if (!username) throw new FerryError('ERR_CREDENTIALS', `not logged into ${registry}`);
  return username;
}
