// What the test token server is willing to grant, as data: a list of rules
// whose union decides the actions each account gets on each resource.

import type { ResourceAccess } from './jwt.js';

export const ANONYMOUS = 'anonymous';

export interface TokenGrantRule {
  /** A user name, `'anonymous'` for requests without credentials, or `'*'` for every authenticated user. */
  account: string;
  /** Resource type, `repository` unless told (`registry` for `registry:catalog:*`). */
  type?: string;
  /** Resource name; `*` matches any run of characters, including `/`. Default `*`. */
  name?: string;
  /** Actions granted; `*` grants whatever was asked. */
  actions: readonly string[];
}

/**
 * Splits `scope` parameters into resource requests. One parameter may carry
 * several scopes separated by spaces (that is how the registry asks for a
 * cross-repository mount), and a name may itself contain a colon
 * (`repository:host:5000/x:pull`), so the actions are taken from the last colon.
 */
export function parseScopes(params: readonly string[]): ResourceAccess[] {
  const out: ResourceAccess[] = [];
  for (const param of params) {
    for (const scope of param.split(' ')) {
      if (scope === '') continue;
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      out.push({
        type: scope.slice(0, first).replace(/\(.*\)$/, ''),
        name: scope.slice(first + 1, last),
        actions: scope.slice(last + 1).split(',').filter((a) => a !== ''),
      });
    }
  }
  return out;
}

/** The granted subset of each request; resources with nothing granted are left out, as Docker's auth server does. */
export function grantAccess(
  account: string | null,
  requested: readonly ResourceAccess[],
  rules: readonly TokenGrantRule[],
): ResourceAccess[] {
  const granted: ResourceAccess[] = [];
  for (const request of requested) {
    const allowed = new Set<string>();
    for (const rule of rules) {
      if (!accountMatches(rule.account, account)) continue;
      if ((rule.type ?? 'repository') !== request.type) continue;
      if (!globMatches(rule.name ?? '*', request.name)) continue;
      for (const action of rule.actions) {
        if (action === '*') request.actions.forEach((a) => allowed.add(a));
        else allowed.add(action);
      }
    }
    const actions = request.actions.filter((a) => allowed.has(a));
    if (actions.length === 0) continue;
    const existing = granted.find((g) => g.type === request.type && g.name === request.name);
    if (existing) existing.actions = [...new Set([...existing.actions, ...actions])];
    else granted.push({ type: request.type, name: request.name, actions });
  }
  return granted;
}

function accountMatches(ruleAccount: string, account: string | null): boolean {
  if (account === null) return ruleAccount === ANONYMOUS;
  return ruleAccount === '*' || ruleAccount === account;
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/** Rules used when a test gives none: each configured user may do anything, anonymous may do nothing. */
export function defaultRules(users: readonly string[], anonymousPull: boolean | readonly string[]): TokenGrantRule[] {
  const rules: TokenGrantRule[] = users.flatMap((user) => [
    { account: user, actions: ['*'] },
    { account: user, type: 'registry', actions: ['*'] },
  ]);
  return [...rules, ...anonymousRules(anonymousPull)];
}

export function anonymousRules(anonymousPull: boolean | readonly string[]): TokenGrantRule[] {
  if (anonymousPull === false) return [];
  const names = anonymousPull === true ? ['*'] : anonymousPull;
  return names.map((name) => ({ account: ANONYMOUS, name, actions: ['pull'] }));
}
