import { RegistryClient, type RegistryClientOptions } from '../../http/client.js';
import { HostGate } from '../../http/host-gate.js';
import { DOCKER_HUB, DOCKER_HUB_API } from '../../reference/docker-reference.js';
import type { RegistryHostNotes } from './referrers.js';

/**
 * Shares one RegistryClient (connections, tokens) per registry and credential set, so a
 * copy within one registry, or a merge of many sources, fetches each token once.
 */
export class ClientPool {
  private readonly clients = new Map<string, RegistryClient>();
  /** One per host, whatever the credentials: a 429 is about the host, not the account. */
  private readonly gates = new Map<string, HostGate>();
  private readonly notes = new Map<string, RegistryHostNotes>();

  /** What this pool learnt about a registry host (whether it has the referrers API), whatever the credentials. */
  notesFor(registry: string): RegistryHostNotes {
    const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
    let notes = this.notes.get(host);
    if (!notes) this.notes.set(host, (notes = {}));
    return notes;
  }

  /** `identity` distinguishes credential sets (e.g. "src" vs "dest" when their flags differ). */
  get(registry: string, identity: string, options: RegistryClientOptions): RegistryClient {
    const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
    const key = `${host}\u0000${identity}`;
    let client = this.clients.get(key);
    if (!client) {
      let gate = this.gates.get(host);
      if (!gate) this.gates.set(host, (gate = new HostGate()));
      client = new RegistryClient(host, { gate, ...options });
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
