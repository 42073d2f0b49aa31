import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeAuthEntry, encodeAuthEntry, readAuthFile } from '../../../src/credentials/auth-file.js';
import type { AuthFileLocation } from '../../../src/credentials/auth-file-paths.js';
import { FerryError } from '../../../src/errors.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

const F = '/x/auth.json';

function thrown(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('decodeAuthEntry', () => {
  it('decodes base64 "auth" as user:pass, keeping colons in the password', () => {
    expect(decodeAuthEntry(F, 'h', { auth: b64('alice:pa:ss') })).toEqual({ kind: 'basic', username: 'alice', password: 'pa:ss' });
  });

  it('reads separate username and password fields', () => {
    expect(decodeAuthEntry(F, 'h', { username: 'bob', password: 'pw' })).toEqual({ kind: 'basic', username: 'bob', password: 'pw' });
  });

  it('prefers "auth" over separate fields, as docker does', () => {
    expect(decodeAuthEntry(F, 'h', { auth: b64('a:1'), username: 'b', password: '2' })).toEqual({
      kind: 'basic',
      username: 'a',
      password: '1',
    });
  });

  it('turns an identitytoken into an identity-token credential with the user name from "auth"', () => {
    expect(decodeAuthEntry(F, 'h', { auth: b64('carol:'), identitytoken: 'refresh-1' })).toEqual({
      kind: 'identity-token',
      username: 'carol',
      token: 'refresh-1',
    });
    expect(decodeAuthEntry(F, 'h', { identitytoken: 'refresh-2' })).toEqual({ kind: 'identity-token', token: 'refresh-2' });
  });

  it('reads docker\'s registrytoken field', () => {
    expect(decodeAuthEntry(F, 'h', { registrytoken: 'bearer-1' })).toEqual({ kind: 'registry-token', token: 'bearer-1' });
  });

  it('treats docker\'s empty credsStore marker as no credential', () => {
    expect(decodeAuthEntry(F, 'h', {})).toBeUndefined();
    expect(decodeAuthEntry(F, 'h', { auth: '' })).toBeUndefined();
  });

  it('strips NUL padding from old tools', () => {
    expect(decodeAuthEntry(F, 'h', { auth: b64('u:pw\0\0') })).toEqual({ kind: 'basic', username: 'u', password: 'pw' });
  });

  it.each([
    ['not base64 at all', { auth: 'c2VjcmV0!!' }, /"auth" of entry "reg.io" is not valid base64/],
    ['bad padding', { auth: 'c2VjcmV0Og=' }, /not valid base64/],
    ['no colon', { auth: b64('justasecretvalue') }, /does not decode to USERNAME:PASSWORD/],
    ['empty username', { auth: b64(':justasecretvalue') }, /empty username/],
  ])('rejects %s, naming the file and key but not the secret', (_name, entry, message) => {
    const err = thrown(() => decodeAuthEntry('/home/u/auth.json', 'reg.io', entry));
    expect(err.code).toBe('ERR_CREDENTIALS');
    expect(err.message).toMatch(message);
    expect(err.message).toContain('/home/u/auth.json');
    expect(err.message).not.toMatch(/secret|c2VjcmV0/);
  });
});

describe('encodeAuthEntry', () => {
  it('round-trips every credential kind', () => {
    for (const cred of [
      { kind: 'basic', username: 'u', password: 'p:w' },
      { kind: 'identity-token', username: 'u', token: 't' },
      { kind: 'identity-token', token: 't' },
      { kind: 'registry-token', token: 'r' },
    ] as const) {
      expect(decodeAuthEntry(F, 'h', encodeAuthEntry(cred))).toEqual(cred);
    }
  });

  it('writes basic credentials as docker does: base64 in "auth" only', () => {
    expect(encodeAuthEntry({ kind: 'basic', username: 'u', password: 'p' })).toEqual({ auth: b64('u:p') });
  });
});

describe('readAuthFile', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());
  const at = (path: string): AuthFileLocation => ({ path, source: 'authfile', format: 'config' });

  it('is undefined for a missing file and empty for an empty one', async () => {
    expect(await readAuthFile(at(join(sb.root, 'nope.json')))).toBeUndefined();
    const empty = join(sb.root, 'empty.json');
    await writeFile(empty, '\n');
    expect((await readAuthFile(at(empty)))?.auths).toEqual({});
  });

  it('reports malformed JSON with the file and, when known, the position', async () => {
    const path = join(sb.root, 'broken.json');
    await writeFile(path, '{\n  "auths": { "r.io": { "auth": "eDp5" }, }\n}');
    await expect(readAuthFile(at(path))).rejects.toThrow(`invalid auth file ${path}: not valid JSON (line 2, column 42)`);
  });

  it('never quotes the text around a JSON error, which may be a password', async () => {
    const path = join(sb.root, 'broken.json');
    await writeFile(path, '{\n  "auths": { "r.io": { "auth": hunter2 } }\n}');
    const err = await readAuthFile(at(path)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('ERR_CREDENTIALS');
    expect((err as FerryError).message).toMatch(new RegExp(`^invalid auth file ${path}: not valid JSON`));
    expect((err as FerryError).message).not.toContain('hunter2');
    expect((err as FerryError).cause).toBeUndefined();
  });

  it.each([
    ['an array', '[]', /expected a JSON object/],
    ['auths as a string', '{"auths": "x"}', /"auths" is not an object/],
    ['an entry that is not an object', '{"auths": {"r.io": 5}}', /entry "r.io" is not an object/],
    ['a non-string field', '{"auths": {"r.io": {"auth": 5}}}', /field "auth" of entry "r.io" is not a string/],
    ['credHelpers with a non-string', '{"credHelpers": {"r.io": true}}', /credHelpers entry "r.io" is not a string/],
    ['credsStore that is not a string', '{"credsStore": 1}', /"credsStore" is not a string/],
  ])('rejects %s, naming the file', async (_name, text, message) => {
    const path = join(sb.root, 'bad.json');
    await writeFile(path, text);
    await expect(readAuthFile(at(path))).rejects.toThrow(message);
    await expect(readAuthFile(at(path))).rejects.toThrow(path);
  });

  it('reads a legacy .dockercfg as the auths map itself', async () => {
    const path = join(sb.root, '.dockercfg');
    await sb.writeJson(path, { 'https://index.docker.io/v1/': { auth: b64('old:pw'), email: 'x@y' } });
    const file = await readAuthFile({ path, source: 'docker-legacy', format: 'legacy' });
    expect(Object.keys(file?.auths ?? {})).toEqual(['https://index.docker.io/v1/']);
  });
});
