import { UsageError } from '../../errors.js';
import type { Credential } from '../../credentials/index.js';

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
  return { username, password: value.slice(colon + 1) };
}

/** `--[src-|dest-]creds`, `--registry-token` and `--no-creds` as one library choice, with skopeo's conflicts. */
export function credentialFlags(
  prefix: '' | 'src-' | 'dest-',
  creds: string | undefined,
  token: string | undefined,
  noCreds: boolean,
): { credentials?: Credential; anonymous?: true } {
  const f = (name: string) => `--${prefix}${name}`;
  if (noCreds && (creds !== undefined || token !== undefined)) {
    throw new UsageError(`${f('no-creds')} cannot be combined with ${f('creds')} or ${f('registry-token')}`);
  }
  if (creds !== undefined && token !== undefined) throw new UsageError(`${f('creds')} and ${f('registry-token')} cannot be used together`);
  if (token === '') throw new UsageError(`${f('registry-token')} must not be empty`);
  if (noCreds) return { anonymous: true };
  if (creds !== undefined) return { credentials: parseCredsFlag(creds, f('creds')) };
  if (token !== undefined) return { credentials: { token } };
  return {};
}
