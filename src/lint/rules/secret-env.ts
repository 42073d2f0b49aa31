import type { Rule, RuleResult } from '../finding.js';

/** Names that announce a credential; `_FILE` (a path to a mounted secret) is fine. */
const SECRET_NAME = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|(API|ACCESS|PRIVATE|SECRET|SIGNING|ENCRYPTION)_?KEY|CREDENTIALS?|AUTH)$/i;
const PLACEHOLDER = /^(|changeme|change-me|xxx+|\*+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|none|null|false|true|0|1)$/i;

/** Values that are credentials whatever their name. */
const SECRET_VALUES: { kind: string; pattern: RegExp }[] = [
  { kind: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/ },
  { kind: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: 'password in a URL', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** Why NAME=VALUE looks like a credential, or undefined. Never returns the value. */
function secretKind(name: string, value: string): string | undefined {
  const byValue = SECRET_VALUES.find((s) => s.pattern.test(value));
  if (byValue) return byValue.kind;
  if (/_FILE$/i.test(name) || PLACEHOLDER.test(value.trim())) return undefined;
  return SECRET_NAME.test(name) ? 'credential-like name' : undefined;
}

export const secretEnv: Rule = {
  id: 'secret-env',
  severity: 'error',
  summary: 'An ENV variable (or a build ARG recorded in the history) has a credential-like name or value; it is readable by anyone who can pull the image.',
  fix: 'Do not pass secrets with ENV or ARG: use `RUN --mount=type=secret,id=token ...` at build time and inject run-time secrets from the orchestrator; a `NAME_FILE=/run/secrets/name` variable pointing at a mounted file is fine.',
  check(ctx) {
    const out: RuleResult[] = [];
    const env = Array.isArray(ctx.runConfig['Env']) ? (ctx.runConfig['Env'] as unknown[]) : [];
    env.forEach((item, i) => {
      if (typeof item !== 'string') return;
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      const kind = secretKind(name, eq < 0 ? '' : item.slice(eq + 1));
      if (kind) out.push({ message: `ENV ${name} looks like a credential (${kind}); its value is not shown`, location: { configKey: `config.Env[${i}]` } });
    });
    // build arguments show up in RUN history lines as "|N NAME=value ... /bin/sh -c ..."
    ctx.history.forEach((h, i) => {
      const args = /^\|\d+ (.*?) (\/bin\/sh|\S+sh) -c /.exec(h.createdBy)?.[1];
      if (!args) return;
      for (const pair of args.split(' ')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq);
        const kind = secretKind(name, pair.slice(eq + 1));
        if (kind) out.push({ message: `build ARG ${name} looks like a credential (${kind}) and is recorded in the history; its value is not shown`, location: { configKey: `history[${i}]` } });
      }
    });
    return out;
  },
};
