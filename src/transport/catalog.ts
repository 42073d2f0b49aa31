import { registryClient, type SessionOptions, type SideOptions } from './open.js';
import { listRepositories } from './registry/catalog.js';
import type { ClientPool } from './registry/client-pool.js';

/** Every repository a registry's `_catalog` lists (all pages), for whole-registry mirrors. */
export function listCatalog(registry: string, side: SideOptions, session: SessionOptions, pool: ClientPool, signal?: AbortSignal): Promise<string[]> {
  const client = registryClient(registry, '', side, session, pool);
  return listRepositories(client, `docker://${registry}`, signal);
}
