import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError } from '../errors.js';
import type { AuthFileLocation } from './auth-file-paths.js';
import { authFileFromDocument, parseAuthDocument, readAuthText, type AuthDocument, type AuthEntry } from './auth-file.js';
import { keysForLogin, type LoginKey } from './auth-keys.js';

/** Owner-only: the file holds passwords. */
const AUTH_FILE_MODE = 0o600;
const AUTH_DIR_MODE = 0o700;

/** Follows a symlinked auth file (dotfile managers) so the rename replaces its target, not the link. */
async function writeTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

function writeError(path: string, e: unknown): FerryError {
  const code = (e as NodeJS.ErrnoException).code;
  return new FerryError('ERR_CREDENTIALS', `cannot write auth file ${path}: ${code ?? String(e)}`, { cause: e });
}

/**
 * Reads the file, lets `mutate` edit its JSON object in place, and if it reports a
 * change writes the result to a temporary file beside it and renames it over the
 * original, so a crash never leaves half a file. Fields ferry does not know are
 * kept as they were. A malformed file is an error rather than something to
 * overwrite. Resolves to whether the file changed; a missing file is only created
 * when `mutate` adds something.
 */
export async function updateAuthFile(location: AuthFileLocation, mutate: (doc: AuthDocument) => boolean): Promise<boolean> {
  const path = await writeTarget(location.path);
  const text = await readAuthText(path);
  const doc = text === undefined ? {} : parseAuthDocument(location.path, text);
  authFileFromDocument(location, doc);
  if (!mutate(doc)) return false;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: AUTH_DIR_MODE });
    const handle = await open(temp, 'wx', AUTH_FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(doc, null, '\t')}\n`, 'utf8');
      // open's mode is filtered by the umask; make sure it is exactly owner-only.
      await handle.chmod(AUTH_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw writeError(location.path, e);
  }
  return true;
}

/** The document's `auths` map (checked by authFileFromDocument), created when asked. */
function authsOf(doc: AuthDocument, create: boolean): Record<string, AuthEntry> | undefined {
  if (doc.auths === undefined && create) doc.auths = {};
  return doc.auths as Record<string, AuthEntry> | undefined;
}

/** Deletes every spelling of this login's key; true when something was there. */
export function deleteLoginEntries(doc: AuthDocument, login: LoginKey): boolean {
  const auths = authsOf(doc, false);
  if (!auths) return false;
  const keys = keysForLogin(auths, login);
  for (const key of keys) delete auths[key];
  return keys.length > 0;
}

/** Replaces this login's entry; older spellings of the same host go, so they cannot disagree with it. */
export function setLoginEntry(doc: AuthDocument, login: LoginKey, entry: AuthEntry): true {
  deleteLoginEntries(doc, login);
  const auths = authsOf(doc, true) as Record<string, AuthEntry>;
  auths[login.key] = entry;
  return true;
}

/** Empties `auths`, keeping every other field; resolves to the keys that were there. */
export function clearEntries(doc: AuthDocument): string[] {
  const auths = authsOf(doc, false);
  const keys = auths ? Object.keys(auths) : [];
  if (keys.length > 0) doc.auths = {};
  return keys;
}
