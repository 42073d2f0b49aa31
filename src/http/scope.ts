/**
 * Token scopes: "repository:<name>:<actions>". Kept as a set of resource → actions so
 * that scopes merge ("pull" + "push" = "pull,push") and so a cache key is canonical.
 */
export type Action = 'pull' | 'push' | 'delete' | '*';

export function repositoryScope(repository: string, ...actions: Action[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const s of scopes) {
    const last = s.lastIndexOf(':');
    if (last < 0) continue;
    const resource = s.slice(0, last);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of s.slice(last + 1).split(',')) if (a) set.add(a);
    byResource.set(resource, set);
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}

/** Whether the granted scopes cover every wanted one. */
export function scopesCover(granted: readonly string[], wanted: readonly string[]): boolean {
  const g = new Map<string, Set<string>>();
  for (const s of mergeScopes(granted)) {
    const last = s.lastIndexOf(':');
    g.set(s.slice(0, last), new Set(s.slice(last + 1).split(',')));
  }
  for (const s of mergeScopes(wanted)) {
    const last = s.lastIndexOf(':');
    const have = g.get(s.slice(0, last));
    if (!have) return false;
    if (have.has('*')) continue;
    for (const a of s.slice(last + 1).split(',')) if (!have.has(a)) return false;
  }
  return true;
}
