import { Semaphore } from '../copy/pool.js';

/**
 * The per-registry budget: at most `perRegistry` images in flight against any one
 * registry host (as source or destination), each with its own blob jobs. Several
 * registries (a YAML file, a mirror between two hosts) each get their own budget.
 */
/** A key for an OCI layout: its index.json takes one writer at a time, so images into it go one by one. */
export const LAYOUT_PREFIX = 'layout:';

export class RegistrySlots {
  private readonly slots = new Map<string, Semaphore>();

  constructor(private readonly perRegistry: number) {}

  /** Runs `task` holding one slot on each host; hosts are taken in sorted order, so two tasks never wait on each other. */
  run<T>(hosts: readonly string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(hosts)].sort();
    const take = (i: number): Promise<T> => {
      const host = sorted[i];
      if (host === undefined) return task();
      let sem = this.slots.get(host);
      if (!sem) this.slots.set(host, (sem = new Semaphore(host.startsWith(LAYOUT_PREFIX) ? 1 : this.perRegistry)));
      return sem.run(() => take(i + 1));
    };
    return take(0);
  }
}
