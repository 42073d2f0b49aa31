import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl } from '../../../src/http/redact.js';

describe('redactUrl', () => {
  it('masks the user and password in a URL', () => {
    const out = redactUrl('https://alice:s3cret-pw@registry.example.com:5000/v2/');
    expect(out).toBe('https://REDACTED:REDACTED@registry.example.com:5000/v2/');
    expect(out).not.toContain('alice');
    expect(out).not.toContain('s3cret-pw');
  });

  it('masks a lone user name (a token in the user part)', () => {
    const out = redactUrl('https://ghp_tokenvalue@example.com/v2/');
    expect(out).toBe('https://REDACTED@example.com/v2/');
  });

  it('masks signature parameters of a presigned storage URL and keeps its path', () => {
    const url =
      'https://bucket.s3.amazonaws.com/docker/registry/v2/blobs/sha256/ab/abcd/data?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-AuthCredential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=deadbeefcafe&X-Amz-Expires=1200';
    const out = redactUrl(url);
    expect(out).not.toContain('AKIAEXAMPLE');
    expect(out).not.toContain('deadbeefcafe');
    const u = new URL(out);
    expect(u.pathname).toBe('/docker/registry/v2/blobs/sha256/ab/abcd/data');
    expect([...u.searchParams.keys()]).toEqual(['X-Amz-Algorithm', 'X-Amz-AuthCredential', 'X-Amz-Signature', 'X-Amz-Expires']);
    for (const v of u.searchParams.values()) expect(v).toBe('REDACTED');
  });

  it('masks opaque upload state but keeps digest, mount and from', () => {
    const digest = `sha256:${'e'.repeat(64)}`;
    const out = redactUrl(`https://r.example.com/v2/app/blobs/uploads/uuid-1?_state=secretstate&digest=${digest}&mount=${digest}&from=lib%2Fbase`);
    expect(out).not.toContain('secretstate');
    const u = new URL(out);
    expect(u.searchParams.get('_state')).toBe('REDACTED');
    expect(u.searchParams.get('digest')).toBe(digest);
    expect(u.searchParams.get('mount')).toBe(digest);
    expect(u.searchParams.get('from')).toBe('lib/base');
  });

  it('keeps the harmless paging and token parameters', () => {
    const out = redactUrl('https://r/v2/a/tags/list?n=100&last=v9&scope=repository:a:pull&service=reg');
    const u = new URL(out);
    expect(Object.fromEntries(u.searchParams)).toEqual({ n: '100', last: 'v9', scope: 'repository:a:pull', service: 'reg' });
  });

  it('leaves a plain URL untouched', () => {
    expect(redactUrl('http://127.0.0.1:5000/v2/app/manifests/latest')).toBe('http://127.0.0.1:5000/v2/app/manifests/latest');
  });

  it('takes a URL object without changing it', () => {
    const u = new URL('https://u:p@h/x?sig=1');
    expect(redactUrl(u)).toBe('https://REDACTED:REDACTED@h/x?sig=REDACTED');
    expect(u.href).toBe('https://u:p@h/x?sig=1');
  });

  it('never echoes an unparsable URL', () => {
    expect(redactUrl('not a url with password hunter2')).toBe('<invalid url>');
  });
});

describe('redactHeaders', () => {
  it('masks credentials in any letter case and joins multi-value headers', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer abc.def',
        'proxy-authorization': 'Basic xyz',
        Cookie: 'session=1',
        'set-cookie': ['a=1', 'b=2'],
        'X-Registry-Auth': 'e30=',
        accept: ['a', 'b'],
        'content-length': '10',
        skipped: undefined,
      }),
    ).toEqual({
      Authorization: 'REDACTED',
      'proxy-authorization': 'REDACTED',
      Cookie: 'REDACTED',
      'set-cookie': 'REDACTED',
      'X-Registry-Auth': 'REDACTED',
      accept: 'a, b',
      'content-length': '10',
    });
  });
});
