import { spawn } from 'node:child_process';
import { AbortedError, FerryError } from '../errors.js';
import type { AuthCredential } from './credential.js';
import type { ResolvedStoreOptions } from './options.js';

/**
 * Runs docker credential helpers (`docker-credential-NAME get|store|erase`), the
 * protocol of github.com/docker/docker-credential-helpers: the server URL or a JSON
 * object on stdin, JSON on stdout, and "credentials not found" on a failed lookup.
 */

/** Which helper, and the config entry that named it, for messages. */
export interface HelperRef {
  name: string;
  /** e.g. `credsStore in /home/u/.docker/config.json` */
  origin: string;
}

/** A helper answers with one small JSON object; more than this is not a helper talking. */
const MAX_HELPER_OUTPUT_BYTES = 1024 * 1024;
/** docker's marker: a Username of "<token>" means the Secret is an identity token. */
const IDENTITY_TOKEN_USERNAME = '<token>';
const NOT_FOUND = /credentials not found/i;
/** A name is appended to "docker-credential-"; a slash would turn it into a path. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface HelperOutput {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function helperProgram(name: string): string {
  return `docker-credential-${name}`;
}

function helperError(ref: HelperRef, action: string, what: string, detail = ''): FerryError {
  const tail = detail ? `: ${detail}` : '';
  return new FerryError('ERR_CREDENTIALS', `credential helper ${helperProgram(ref.name)} ${action} ${what} (${ref.origin})${tail}`);
}

function run(ref: HelperRef, action: 'get' | 'store' | 'erase', input: string, o: ResolvedStoreOptions): Promise<HelperOutput> {
  if (!HELPER_NAME.test(ref.name)) {
    return Promise.reject(new FerryError('ERR_CREDENTIALS', `invalid credential helper name "${ref.name}" (${ref.origin})`));
  }
  if (o.signal?.aborted) return Promise.reject(new AbortedError());
  const program = helperProgram(ref.name);
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env: o.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (error: Error) => {
      child.kill('SIGKILL');
      finish(() => reject(error));
    };
    const onAbort = () => stop(new AbortedError());
    const timer = setTimeout(
      () => stop(new FerryError('ERR_TIMEOUT', `credential helper ${program} ${action} did not answer within ${o.helperTimeoutMs} ms (${ref.origin})`)),
      o.helperTimeoutMs,
    );
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HELPER_OUTPUT_BYTES) stop(helperError(ref, action, `wrote more than ${MAX_HELPER_OUTPUT_BYTES} bytes`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT' ? 'is not installed (not found on PATH)' : e.code === 'EACCES' ? 'is not executable' : `could not be started: ${e.code ?? e.message}`;
      finish(() => reject(new FerryError('ERR_CREDENTIALS', `credential helper ${program} ${why} (${ref.origin})`)));
    });
    child.on('close', (status, signal) => {
      const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');
      finish(() => resolve({ status, signal, stdout: text(out), stderr: text(err) }));
    });
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit status tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function isNotFound(r: HelperOutput): boolean {
  return NOT_FOUND.test(r.stdout) || NOT_FOUND.test(r.stderr);
}

/**
 * The helper's own first line of complaint helps (a locked keychain, a missing gpg key).
 * It is cut short, and any secret we sent it is masked in case it echoes its input.
 */
function failure(ref: HelperRef, action: string, r: HelperOutput, secret?: string): FerryError {
  const how = r.signal ? `was killed by ${r.signal}` : `failed with exit status ${r.status}`;
  let said = (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.trim() ?? '';
  if (secret) said = said.split(secret).join('***');
  if (said.length > 200) said = `${said.slice(0, 200)}…`;
  return helperError(ref, action, how, said);
}

/** The stored credential for serverURL, or undefined when the helper has none. */
export async function helperGet(ref: HelperRef, serverURL: string, o: ResolvedStoreOptions): Promise<AuthCredential | undefined> {
  const r = await run(ref, 'get', serverURL, o);
  if (r.status !== 0) {
    if (isNotFound(r)) return undefined;
    throw failure(ref, 'get', r);
  }
  let reply: unknown;
  try {
    reply = JSON.parse(r.stdout);
  } catch {
    // The output may be the secret itself; do not quote it.
    throw helperError(ref, 'get', `printed something that is not JSON for ${serverURL}`);
  }
  const { Username: username = '', Secret: secret } = (reply ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof username !== 'string' || typeof secret !== 'string') {
    throw helperError(ref, 'get', `printed JSON without string "Username" and "Secret" for ${serverURL}`);
  }
  if (username === '' && secret === '') return undefined;
  if (username === IDENTITY_TOKEN_USERNAME) return { kind: 'identity-token', token: secret };
  return { kind: 'basic', username, password: secret };
}

export async function helperStore(ref: HelperRef, serverURL: string, cred: AuthCredential, o: ResolvedStoreOptions): Promise<void> {
  if (cred.kind === 'registry-token') {
    throw new FerryError('ERR_UNSUPPORTED', `credential helper ${helperProgram(ref.name)} cannot store a registry token (${ref.origin})`);
  }
  // Helpers keep a user name and one secret; an identity token travels as user "<token>", as docker stores it.
  const [username, secret] = cred.kind === 'basic' ? [cred.username, cred.password] : [IDENTITY_TOKEN_USERNAME, cred.token];
  const r = await run(ref, 'store', JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret }), o);
  if (r.status !== 0) throw failure(ref, 'store', r, secret);
}

/** Erases serverURL's entry; false when the helper had none. */
export async function helperErase(ref: HelperRef, serverURL: string, o: ResolvedStoreOptions): Promise<boolean> {
  const r = await run(ref, 'erase', serverURL, o);
  if (r.status === 0) return true;
  if (isNotFound(r)) return false;
  throw failure(ref, 'erase', r);
}
