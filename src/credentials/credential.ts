import { UsageError } from '../errors.js';
import type { Credential } from '../http/credential.js';

/** A registry credential, wherever it came from: one type with what the HTTP layer uses. */
export type { Credential };

/**
 * Parses the value of `--creds`, `--src-creds` or `--dest-creds`. Only the first
 * colon separates, because passwords and tokens may contain colons. Unlike skopeo we
 * never prompt: a value without a colon is a usage error, so scripts fail loudly.
 * The value itself never appears in the message: it may be a password.
 */
export function parseCredsFlag(value: string, flag = '--creds'): Credential {
  const colon = value.indexOf(':');
  if (colon < 0) throw new UsageError(`${flag} must be USERNAME:PASSWORD (the password may contain colons)`);
  const username = value.slice(0, colon);
  if (username === '') throw new UsageError(`${flag} has an empty username; expected USERNAME:PASSWORD`);
  return { kind: 'basic', username, password: value.slice(colon + 1) };
}

/** A description safe for logs and messages: the kind and user name, never a secret. */
export function describeCredential(cred: Credential): string {
  switch (cred.kind) {
    case 'basic':
      return `username "${cred.username}"`;
    case 'identity-token':
      return cred.username ? `identity token for "${cred.username}"` : 'identity token';
    case 'registry-token':
      return 'registry token';
  }
}
