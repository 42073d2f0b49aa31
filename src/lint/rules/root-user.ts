import type { Rule } from '../finding.js';

/** `USER` unset, `root`, or uid 0 (with or without a group). */
export function isRootUser(user: string): boolean {
  const name = user.trim().split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

export const rootUser: Rule = {
  id: 'root-user',
  severity: 'warning',
  summary: 'The container runs as root: the config has no USER, or USER is root / uid 0.',
  fix: 'Create an unprivileged user and switch to it: `RUN useradd --uid 10001 --no-create-home app` (or `adduser -D -u 10001 app` on Alpine), then `USER 10001` after the steps that need root.',
  check(ctx) {
    const user = typeof ctx.runConfig['User'] === 'string' ? ctx.runConfig['User'] : '';
    if (!isRootUser(user)) return [];
    const message = user.trim() === '' ? 'no USER is set, so the container runs as root' : `USER is "${user}", which is root`;
    return [{ message, location: { configKey: 'config.User' } }];
  },
};
