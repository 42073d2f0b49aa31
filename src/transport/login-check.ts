import { FerryError } from '../errors.js';
import { RegistryClient } from '../http/client.js';
import type { AuthCredential } from '../http/credential.js';
import { DOCKER_HUB, DOCKER_HUB_API } from '../reference/docker-reference.js';

export interface LoginCheckOptions {
  tlsVerify?: boolean;
  certDir?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Asks the registry whether the credential works: a token (or Basic) request on /v2/. */
export async function checkRegistryLogin(registry: string, credential: AuthCredential, options: LoginCheckOptions = {}): Promise<void> {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const client = new RegistryClient(host, {
    credentials: async () => credential,
    tls: { verify: options.tlsVerify !== false, ...(options.certDir ? { certDir: options.certDir } : {}) },
    log: options.log,
  });
  try {
    const res = await client.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200], what: 'logging in to', location: registry, signal: options.signal });
    await res.discard();
    if (!client.authenticator.scheme) {
      options.log?.(`${registry} asks for no authentication; saving the credential anyway`);
    }
  } catch (e) {
    if (e instanceof FerryError && (e.code === 'ERR_UNAUTHORIZED' || e.code === 'ERR_DENIED')) {
      throw new FerryError('ERR_UNAUTHORIZED', `login to ${registry} failed: ${e.message}`, { cause: e });
    }
    throw e;
  } finally {
    await client.close();
  }
}
