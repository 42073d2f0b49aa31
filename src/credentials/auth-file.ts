import { readFile, stat } from 'node:fs/promises';
import { FerryError } from '../errors.js';
import type { AuthFileLocation } from './auth-file-paths.js';
import { findEntry } from './auth-keys.js';
import type { AuthCredential } from './credential.js';
import type { HelperRef } from './credential-helper.js';

/** A real auth file holds a handful of entries; anything this large is not one. */
export const MAX_AUTH_FILE_BYTES = 4 * 1024 * 1024;

/** One `auths` entry as docker and containers write it; other fields (email, ...) are kept but unused. */
export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** A parsed, checked auth file. */
export interface AuthFile {
  location: AuthFileLocation;
  auths: Record<string, AuthEntry>;
  credHelpers: Record<string, string>;
  credsStore: string | undefined;
}

/** The file's JSON object as read, unknown fields included, so a rewrite keeps them. */
export type AuthDocument = Record<string, unknown>;

const ENTRY_STRING_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

function invalid(path: string, what: string): FerryError {
  return new FerryError('ERR_CREDENTIALS', `invalid auth file ${path}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The file's text, or undefined when there is no such file. */
export async function readAuthText(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw invalid(path, 'is a directory');
    if (info.size > MAX_AUTH_FILE_BYTES) throw invalid(path, `larger than ${MAX_AUTH_FILE_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof FerryError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new FerryError('ERR_CREDENTIALS', `cannot read auth file ${path}: ${code ?? String(e)}`);
  }
}

/**
 * JSON.parse's own message quotes the text around the error, which may be a password,
 * so only the position survives, as line and column.
 */
function jsonErrorAt(text: string, error: unknown): string {
  const m = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!m) return 'not valid JSON';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON (line ${line}, column ${column})`;
}

/** Parses the JSON object; an empty file counts as an empty object, as `touch auth.json` intends. */
export function parseAuthDocument(path: string, text: string): AuthDocument {
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid(path, jsonErrorAt(text, e));
  }
  if (!isObject(doc)) throw invalid(path, 'expected a JSON object');
  return doc;
}

function checkAuths(path: string, auths: unknown, where: string): Record<string, AuthEntry> {
  if (!isObject(auths)) throw invalid(path, `${where} is not an object`);
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) throw invalid(path, `entry "${key}" is not an object`);
    for (const field of ENTRY_STRING_FIELDS) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string') {
        throw invalid(path, `field "${field}" of entry "${key}" is not a string`);
      }
    }
  }
  return auths as Record<string, AuthEntry>;
}

/** Checks the parts ferry reads; `format: 'legacy'` files are the `auths` map itself. */
export function authFileFromDocument(location: AuthFileLocation, doc: AuthDocument): AuthFile {
  const { path } = location;
  if (location.format === 'legacy') {
    return { location, auths: checkAuths(path, doc, 'the file'), credHelpers: {}, credsStore: undefined };
  }
  const auths = doc.auths === undefined ? {} : checkAuths(path, doc.auths, '"auths"');
  const helpers = doc.credHelpers ?? {};
  if (!isObject(helpers)) throw invalid(path, '"credHelpers" is not an object');
  for (const [key, name] of Object.entries(helpers)) {
    if (typeof name !== 'string') throw invalid(path, `credHelpers entry "${key}" is not a string`);
  }
  const store = doc.credsStore;
  if (store !== undefined && typeof store !== 'string') throw invalid(path, '"credsStore" is not a string');
  return { location, auths, credHelpers: helpers as Record<string, string>, credsStore: store || undefined };
}

export async function readAuthFile(location: AuthFileLocation): Promise<AuthFile | undefined> {
  const text = await readAuthText(location.path);
  if (text === undefined) return undefined;
  return authFileFromDocument(location, parseAuthDocument(location.path, text));
}

/** A credHelpers entry for the host, under any spelling of the host. */
export function credHelperFor(file: AuthFile, host: string): HelperRef | undefined {
  const found = findEntry(file.credHelpers, host, undefined);
  return found ? { name: found.value, origin: `credHelpers["${found.key}"] in ${file.location.path}` } : undefined;
}

export function credsStoreOf(file: AuthFile): HelperRef | undefined {
  return file.credsStore ? { name: file.credsStore, origin: `credsStore in ${file.location.path}` } : undefined;
}

/** Go's base64.StdEncoding accepts exactly this; Buffer.from would silently skip junk. */
function decodeBase64(value: string): string | undefined {
  const body = value.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(body) || body.length % 4 === 1) return undefined;
  if (body !== value && value.length % 4 !== 0) return undefined;
  return Buffer.from(body, 'base64').toString('utf8');
}

/**
 * The credential an entry holds, or undefined for an empty entry (docker writes `{}`
 * for hosts whose secret lives in its credsStore). Errors name the file and key,
 * never what the field contained.
 */
export function decodeAuthEntry(path: string, key: string, entry: AuthEntry): AuthCredential | undefined {
  let username = entry.username || undefined;
  let password = entry.password;
  if (entry.auth) {
    const decoded = decodeBase64(entry.auth);
    if (decoded === undefined) throw invalid(path, `"auth" of entry "${key}" is not valid base64`);
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid(path, `"auth" of entry "${key}" does not decode to USERNAME:PASSWORD`);
    username = decoded.slice(0, colon) || undefined;
    // Some old tools padded the password with NULs; containers/image strips them too.
    password = decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '');
  }
  if (entry.identitytoken) {
    const cred: AuthCredential = { kind: 'identity-token', token: entry.identitytoken };
    if (username && username !== '<token>') cred.username = username;
    return cred;
  }
  if (entry.registrytoken) return { kind: 'registry-token', token: entry.registrytoken };
  if (entry.auth && !username) throw invalid(path, `"auth" of entry "${key}" has an empty username`);
  if (username && password !== undefined) return { kind: 'basic', username, password };
  return undefined;
}

/** The entry `login` writes: base64 user:pass, as every tool reads it. */
export function encodeAuthEntry(cred: AuthCredential): AuthEntry {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  switch (cred.kind) {
    case 'basic':
      return { auth: b64(`${cred.username}:${cred.password}`) };
    case 'identity-token':
      return cred.username ? { auth: b64(`${cred.username}:`), identitytoken: cred.token } : { identitytoken: cred.token };
    case 'registry-token':
      return { registrytoken: cred.token };
  }
}
