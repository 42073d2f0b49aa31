import type { RegistryClient } from '../../http/client.js';
import { readPagedList } from './tags.js';

/**
 * Every repository of a registry from `_catalog`, following Link pagination
 * (distribution sends a relative Link; `n` asks for big pages so a large registry
 * takes few round trips).
 */
export function listRepositories(client: RegistryClient, location: string, signal?: AbortSignal): Promise<string[]> {
  return readPagedList(client, '/v2/_catalog?n=1000', 'registry:catalog:*', 'repositories', { what: 'listing repositories of', location }, signal);
}
