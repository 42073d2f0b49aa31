import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { SideOptions } from '../../transport/open.js';
import { credentialFlags } from './creds-flags.js';

/**
 * Connection flags as skopeo spells them: plain for one-location commands, with
 * --src-/--dest- prefixes for copy. `--tls-verify=false` takes a value, as in skopeo.
 */
export function parseBool(flag: string) {
  return (value: string | undefined): boolean => {
    if (value === undefined || value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new UsageError(`${flag} takes true or false, not "${value}"`);
  };
}

export function addSideFlags(cmd: Command, prefix: '' | 'src-' | 'dest-'): Command {
  const who = prefix === '' ? '' : prefix === 'src-' ? ' for the source' : ' for the destination';
  return cmd
    .addOption(new Option(`--${prefix}creds <user:password>`, `credentials${who}`))
    .addOption(new Option(`--${prefix}username <user>`, `user name${who} (with --${prefix}password; same as --${prefix}creds)`))
    .addOption(new Option(`--${prefix}password <password>`, `password${who} (visible to other users of the machine; prefer an auth file)`))
    .addOption(new Option(`--${prefix}registry-token <token>`, `bearer token${who}`))
    .addOption(new Option(`--${prefix}no-creds`, `access the registry anonymously${who}`))
    .addOption(new Option(`--${prefix}authfile <path>`, `auth file${who}`))
    .addOption(new Option(`--${prefix}tls-verify [bool]`, `verify TLS${who}; false also allows plain HTTP`).argParser(parseBool(`--${prefix}tls-verify`)))
    .addOption(new Option(`--${prefix}cert-dir <dir>`, `certs.d-style folder with *.crt CAs and a client *.cert/*.key${who}`));
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** --creds, or --username with --password (skopeo's two spellings of one thing). */
function credsOf(creds: unknown, username: unknown, password: unknown, prefix: string): string | undefined {
  if (username === undefined && password === undefined) return typeof creds === 'string' ? creds : undefined;
  if (typeof creds === 'string') throw new UsageError(`--${prefix}creds cannot be used with --${prefix}username or --${prefix}password`);
  if (typeof username !== 'string' || typeof password !== 'string') throw new UsageError(`--${prefix}username and --${prefix}password go together`);
  return `${username}:${password}`;
}

export function sideOptions(opts: Record<string, unknown>, prefix: '' | 'src-' | 'dest-'): SideOptions {
  const get = (name: string) => opts[camel(`${prefix}${name}`)];
  const creds = credsOf(get('creds'), get('username'), get('password'), prefix);
  const token = get('registry-token');
  // commander turns --no-creds into creds=false for the plain form
  const noCreds = get('no-creds') === true || (prefix === '' && opts['creds'] === false);
  const out: SideOptions = credentialFlags(prefix, creds, typeof token === 'string' ? token : undefined, noCreds);
  const authFile = get('authfile') ?? opts['authfile'];
  if (typeof authFile === 'string') out.authFile = authFile;
  const tls = get('tls-verify');
  if (typeof tls === 'boolean') out.tlsVerify = tls;
  const certDir = get('cert-dir');
  if (typeof certDir === 'string') out.certDir = certDir;
  return out;
}

/** `--no-cache`, shared by the commands that copy blobs (copy, sync, manifest-merge). */
export function addCacheFlag(cmd: Command): Command {
  return cmd.option('--no-cache', 'neither read nor write the blob-location cache (where blobs were seen, for cross-repository mounts; docs/blob-cache.md)');
}

export function cacheOptions(opts: Record<string, unknown>): { cache?: false } {
  return opts['cache'] === false ? { cache: false } : {};
}
