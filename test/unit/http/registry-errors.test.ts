import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/errors.js';
import { codeForStatus, parseErrorBody, registryError } from '../../../src/http/registry-errors.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseErrorBody', () => {
  it('reads a distribution error body', () => {
    const body = json({
      errors: [
        { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } },
        { code: 'NAME_UNKNOWN', message: 'repository name not known to registry' },
      ],
    });
    expect(parseErrorBody(body)).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } },
      { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: undefined },
    ]);
  });

  it('fills in UNKNOWN for entries without a code and skips non-objects', () => {
    expect(parseErrorBody(json({ errors: ['x', null, { message: 'odd' }, { code: 7 }] }))).toEqual([
      { code: 'UNKNOWN', message: 'odd', detail: undefined },
      { code: 'UNKNOWN', message: undefined, detail: undefined },
    ]);
  });

  it('reads an empty errors array as no errors', () => {
    expect(parseErrorBody(json({ errors: [] }))).toEqual([]);
  });

  it('reads OAuth2 token server errors', () => {
    expect(parseErrorBody(json({ error: 'invalid_grant', error_description: 'refresh token expired' }))).toEqual([
      { code: 'INVALID_GRANT', message: 'refresh token expired' },
    ]);
    expect(parseErrorBody(json({ error: 'unauthorized_client' }))).toEqual([{ code: 'UNAUTHORIZED_CLIENT', message: undefined }]);
    expect(parseErrorBody(json({ error: 'unauthorized', details: 'incorrect username or password' }))).toEqual([
      { code: 'UNAUTHORIZED', message: 'incorrect username or password' },
    ]);
  });

  it('turns a plain-text body into one line', () => {
    expect(parseErrorBody(Buffer.from('404 page not found\n'))).toEqual([{ code: 'UNKNOWN', message: '404 page not found' }]);
  });

  it('collapses whitespace and cuts long HTML to 120 characters', () => {
    const html = `<html>\n  <head><title>502 Bad Gateway</title></head>\n<body>${'x'.repeat(500)}</body></html>`;
    const [e] = parseErrorBody(Buffer.from(html));
    expect(e!.code).toBe('UNKNOWN');
    expect(e!.message).toHaveLength(120);
    expect(e!.message).not.toMatch(/\n|\s{2}/);
    expect(e!.message!.startsWith('<html> <head><title>502 Bad Gateway</title>')).toBe(true);
  });

  it('gives nothing for an empty, blank or missing body', () => {
    expect(parseErrorBody(undefined)).toEqual([]);
    expect(parseErrorBody(Buffer.alloc(0))).toEqual([]);
    expect(parseErrorBody(Buffer.from(' \n\t '))).toEqual([]);
  });

  it('shows JSON of another shape as text', () => {
    expect(parseErrorBody(json({ message: 'nope' }))).toEqual([{ code: 'UNKNOWN', message: '{"message":"nope"}' }]);
  });
});

describe('codeForStatus', () => {
  it.each<[number, string | undefined, string]>([
    [401, undefined, 'ERR_UNAUTHORIZED'],
    [400, 'UNAUTHORIZED', 'ERR_UNAUTHORIZED'],
    [403, undefined, 'ERR_DENIED'],
    [400, 'DENIED', 'ERR_DENIED'],
    [404, undefined, 'ERR_NOT_FOUND'],
    [400, 'MANIFEST_UNKNOWN', 'ERR_NOT_FOUND'],
    [400, 'BLOB_UNKNOWN', 'ERR_NOT_FOUND'],
    [400, 'NAME_UNKNOWN', 'ERR_NOT_FOUND'],
    [405, undefined, 'ERR_UNSUPPORTED'],
    [400, 'UNSUPPORTED', 'ERR_UNSUPPORTED'],
    [400, 'DIGEST_INVALID', 'ERR_DIGEST_MISMATCH'],
    [400, 'MANIFEST_INVALID', 'ERR_MANIFEST_INVALID'],
    [400, 'MANIFEST_BLOB_UNKNOWN', 'ERR_MANIFEST_INVALID'],
    [400, 'NAME_INVALID', 'ERR_REGISTRY'],
    [500, undefined, 'ERR_REGISTRY'],
    [503, 'UNAVAILABLE', 'ERR_REGISTRY'],
    [429, 'TOOMANYREQUESTS', 'ERR_REGISTRY'],
  ])('HTTP %i with %s → %s', (status, reg, code) => {
    expect(codeForStatus(status, reg ? [{ code: reg }] : [])).toBe(code);
  });

  it('lets the status win over the registry code', () => {
    expect(codeForStatus(401, [{ code: 'MANIFEST_UNKNOWN' }])).toBe('ERR_UNAUTHORIZED');
  });
});

describe('registryError', () => {
  it('builds a one-line error naming what, where, the status and the first registry error', () => {
    const e = registryError('reading manifest', 'docker://localhost:5000/app:v1', 404, json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toBe('reading manifest docker://localhost:5000/app:v1: HTTP 404 MANIFEST_UNKNOWN: manifest unknown');
    expect(e.code).toBe('ERR_NOT_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.status).toBe(404);
    expect(e.registryCode).toBe('MANIFEST_UNKNOWN');
    expect(e.location).toBe('docker://localhost:5000/app:v1');
    expect(e.temporary).toBe(false);
  });

  it('works with an empty body', () => {
    const e = registryError('pinging registry', 'r.example.com', 502, undefined);
    expect(e.message).toBe('pinging registry r.example.com: HTTP 502');
    expect(e.registryCode).toBeUndefined();
    expect(e.errors).toEqual([]);
    expect(e.temporary).toBe(true);
  });

  it('keeps a plain-text 404 on the same line', () => {
    const e = registryError('listing tags', 'docker://h/x', 404, Buffer.from('404 page not found\n'));
    expect(e.message).toBe('listing tags docker://h/x: HTTP 404 UNKNOWN: 404 page not found');
  });

  it('marks 408, 429, 5xx and TOOMANYREQUESTS / UNAVAILABLE as temporary', () => {
    expect(registryError('w', 'l', 408, undefined).temporary).toBe(true);
    expect(registryError('w', 'l', 429, undefined).temporary).toBe(true);
    expect(registryError('w', 'l', 500, undefined).temporary).toBe(true);
    expect(registryError('w', 'l', 400, json({ errors: [{ code: 'TOOMANYREQUESTS' }] })).temporary).toBe(true);
    expect(registryError('w', 'l', 400, json({ errors: [{ code: 'DENIED' }, { code: 'UNAVAILABLE' }] })).temporary).toBe(true);
    expect(registryError('w', 'l', 403, undefined).temporary).toBe(false);
  });
});
