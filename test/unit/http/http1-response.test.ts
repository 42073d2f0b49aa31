// The HTTP/1.1 response parser behind Http1Client (src/http/http1-response.ts), fed
// whole responses in one piece (at an offset into a pooled read buffer, as a socket read
// would be) and byte by byte: framing, heads, keep-alive and the malformed responses it
// must refuse.
import { describe, expect, it } from 'vitest';
import { HttpProtocolError, ResponseParser, type ResponseHead } from '../../../src/http/http1-response.js';
import { isLent, takeReadBuffer } from '../../../src/stream/read-buffers.js';

interface Run {
  parser: ResponseParser;
  heads: ResponseHead[];
  /** onDone's argument, once called. */
  reusable: boolean[];
  /** Body bytes read so far (the body is read as it arrives). */
  body: () => Buffer;
  ended: () => boolean;
  resumes: () => number;
}

function start(method = 'GET'): Run {
  const heads: ResponseHead[] = [];
  const reusable: boolean[] = [];
  const chunks: Buffer[] = [];
  let ended = false;
  let resumes = 0;
  const parser = new ResponseParser(
    method,
    (head, body) => {
      heads.push(head);
      body.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
      body.on('end', () => (ended = true));
    },
    (r) => reusable.push(r),
    () => resumes++,
  );
  return { parser, heads, reusable, body: () => Buffer.concat(chunks), ended: () => ended, resumes: () => resumes };
}

type Mode = 'whole' | 'bytes';

/** Feeds `wire` to the parser: in one piece from offset 100 of a read buffer, or a byte per feed. */
function feed(run: Run, wire: string | Buffer, mode: Mode): void {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  if (mode === 'whole') {
    const buf = takeReadBuffer();
    bytes.copy(buf, 100);
    run.parser.feed(buf, 100, 100 + bytes.length);
  } else {
    const buf = Buffer.from(bytes);
    for (let i = 0; i < buf.length; i++) run.parser.feed(buf, i, i + 1);
  }
}

async function parse(wire: string, mode: Mode, method = 'GET'): Promise<{ head: ResponseHead; body: string; reusable: boolean; run: Run }> {
  const run = start(method);
  feed(run, wire, mode);
  expect(run.parser.done).toBe(true);
  expect(run.heads).toHaveLength(1);
  expect(run.reusable).toHaveLength(1);
  await new Promise((r) => setImmediate(r));
  expect(run.ended()).toBe(true);
  return { head: run.heads[0]!, body: run.body().toString('latin1'), reusable: run.reusable[0]!, run };
}

function parseError(wire: string, mode: Mode, method = 'GET'): unknown {
  try {
    feed(start(method), wire, mode);
  } catch (e) {
    return e;
  }
  return undefined;
}

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1;a;b="c"\r\n \r\n6\r\nworld!\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n';

describe.each(['whole', 'bytes'] as const)('ResponseParser fed %s', (mode) => {
  it('reads a Content-Length body', async () => {
    const { head, body, reusable } = await parse('HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world', mode);
    expect(head).toEqual({ statusCode: 200, headers: { 'content-length': '11', 'content-type': 'text/plain' }, keepAlive: true });
    expect(body).toBe('hello world');
    expect(reusable).toBe(true);
  });

  it('reads a chunked body with chunk extensions and trailers', async () => {
    const { head, body, reusable } = await parse(CHUNKED, mode);
    expect(head.statusCode).toBe(200);
    expect(body).toBe('hello world!0123456789');
    expect(reusable).toBe(true);
  });

  it('reads a body that runs to the close of the connection', async () => {
    const run = start();
    feed(run, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', mode);
    expect(run.parser.done).toBe(false);
    expect(run.heads[0]?.keepAlive).toBe(false);
    feed(run, ' of it', mode);
    expect(run.parser.ended()).toBeUndefined();
    expect(run.parser.done).toBe(true);
    expect(run.reusable).toEqual([false]);
    await new Promise((r) => setImmediate(r));
    expect(run.ended()).toBe(true);
    expect(run.body().toString()).toBe('until the end of it');
  });

  it('expects no body for HEAD, 204 and 304', async () => {
    const head = await parse('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nDocker-Content-Digest: sha256:abc\r\n\r\n', mode, 'HEAD');
    expect(head.head.headers['content-length']).toBe('1234');
    expect(head.body).toBe('');
    expect(head.reusable).toBe(true);
    for (const status of ['204 No Content', '304 Not Modified']) {
      const { head: h, body, reusable } = await parse(`HTTP/1.1 ${status}\r\nETag: "x"\r\n\r\n`, mode);
      expect(h.statusCode).toBe(Number(status.slice(0, 3)));
      expect(body).toBe('');
      expect(reusable).toBe(true);
    }
    // bytes after a HEAD answer are not its body
    expect(parseError('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', mode, 'HEAD')).toBeInstanceOf(HttpProtocolError);
  });

  it('skips a 100 Continue before the answer', async () => {
    const { head, body, run } = await parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', mode);
    expect(run.heads).toHaveLength(1);
    expect(head.statusCode).toBe(200);
    expect(body).toBe('ok');
  });

  it('lowercases header names, trims values and makes repeated headers arrays', async () => {
    const wire =
      'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="r"\r\nX-Pad:   spaced out  \r\nwww-authenticate: Basic realm="b"\r\nX-Empty:\r\nSET-COOKIE: a\r\nSet-Cookie: b\r\nset-cookie: c\r\nContent-Length: 0\r\n\r\n';
    const { head } = await parse(wire, mode);
    expect(head.statusCode).toBe(401);
    expect(head.headers).toEqual({
      'www-authenticate': ['Bearer realm="r"', 'Basic realm="b"'],
      'x-pad': 'spaced out',
      'x-empty': '',
      'set-cookie': ['a', 'b', 'c'],
      'content-length': '0',
    });
  });

  it('tells whether the connection stays open', async () => {
    const cases: [string, boolean][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 2\r\n\r\nok', false],
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
    ];
    for (const [wire, keepAlive] of cases) {
      const { head, reusable } = await parse(wire, mode);
      expect({ wire, keepAlive: head.keepAlive, reusable }).toEqual({ wire, keepAlive, reusable: keepAlive });
    }
  });

  it('refuses malformed responses with HttpProtocolError', () => {
    const bad = [
      'HTTP/2 200 OK\r\n\r\n',
      'SSH-2.0-OpenSSH_9.6\r\n\r\n',
      'HTTP/1.1 20 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
      'HTTP/1.1 200 OK\r\nName : value\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n',
    ];
    for (const wire of bad) {
      const e = parseError(wire, mode);
      expect({ wire, e }).toEqual({ wire, e: expect.any(HttpProtocolError) });
      expect(e).toMatchObject({ code: 'ERR_HTTP_PROTOCOL' });
    }
  });

  it('accepts a Content-Length repeated with the same value', async () => {
    const { body } = await parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok', mode);
    expect(body).toBe('ok');
  });

  it('refuses bytes after the end of a response', () => {
    for (const wire of ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX', 'HTTP/1.1 204 No Content\r\n\r\nX', CHUNKED + 'HTTP/1.1 200 OK\r\n']) {
      expect(parseError(wire, mode)).toBeInstanceOf(HttpProtocolError);
    }
  });

  it('fails a response cut off before its end with ECONNRESET', () => {
    for (const wire of ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'HTTP/1.1 200 OK\r\nContent-Le']) {
      const run = start();
      feed(run, wire, mode);
      expect(run.parser.ended()).toMatchObject({ code: 'ECONNRESET' });
      expect(run.parser.done).toBe(false);
      expect(run.reusable).toEqual([]);
    }
  });
});

describe('ResponseParser', () => {
  it('refuses a head larger than 64 KiB', () => {
    const run = start();
    const piece = Buffer.from(`X-Filler: ${'a'.repeat(1000)}\r\n`, 'latin1');
    let error: unknown;
    try {
      run.parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n'), 0, 17);
      for (let i = 0; i < 100; i++) run.parser.feed(piece, 0, piece.length);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpProtocolError);
    expect(run.heads).toEqual([]);
  });

  it('reads chunked framing split at every possible place', async () => {
    const wire = Buffer.from(CHUNKED, 'latin1');
    for (let cut = 1; cut < wire.length; cut++) {
      const run = start();
      run.parser.feed(wire, 0, cut);
      run.parser.feed(wire, cut, wire.length);
      expect(run.parser.done).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(run.body().toString()).toBe('hello world!0123456789');
    }
  });

  it('finds the end of the head split at every possible place, with blank lines in the body and stale bytes after the read', async () => {
    const wire = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A: 1\r\n\r\nab\r\n\r\ncd\r\n\r\n', 'latin1');
    for (let cut = 1; cut < wire.length; cut++) {
      const run = start();
      // each read lands at the start of a buffer whose later bytes are left from an earlier read
      const stale = Buffer.from('\r\n\r\nHTTP/1.1 500 Stale\r\n\r\n'.repeat(4), 'latin1');
      for (const [from, to] of [[0, cut], [cut, wire.length]] as const) {
        const buf = Buffer.concat([wire.subarray(from, to), stale]);
        run.parser.feed(buf, 0, to - from);
      }
      expect(run.parser.done, `cut at ${cut}`).toBe(true);
      expect(run.heads[0]?.headers['x-a'], `cut at ${cut}`).toBe('1');
      await new Promise((r) => setImmediate(r));
      expect(run.body().toString('latin1'), `cut at ${cut}`).toBe('ab\r\n\r\ncd\r\n\r\n');
    }
  });

  it('pushes body chunks as lent views of the fed buffer, no copies', () => {
    const buf = takeReadBuffer();
    const n = buf.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 'latin1');
    const parser = new ResponseParser('GET', () => undefined, () => undefined, () => undefined);
    parser.feed(buf, 0, n);
    expect(isLent(buf)).toBe(true);
    const chunk = parser.body!.read() as Buffer;
    expect(chunk.buffer).toBe(buf.buffer);
    expect(chunk.toString()).toBe('hello');
  });

  it('asks for no more while the body is not read, and resumes when it is read', async () => {
    let resumes = 0;
    const parser = new ResponseParser('GET', () => undefined, () => undefined, () => resumes++);
    const total = 1024 * 1024;
    const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
    expect(parser.feed(head, 0, head.length)).toBe(true);
    const payload = Buffer.alloc(total, 7);
    let fed = 0;
    let got = 0;
    let pauses = 0;
    // rounds of: feed until the parser says stop, wait (no resume), then read it all (one resume)
    while (fed < total) {
      let ok = true;
      while (ok && fed < total) ok = parser.feed(payload, fed, (fed = Math.min(total, fed + 8192)));
      if (ok || fed === total) break;
      pauses++;
      await new Promise((r) => setImmediate(r));
      expect(resumes).toBe(pauses - 1);
      for (let c: Buffer | null; (c = parser.body!.read() as Buffer | null); ) got += c.length;
      expect(resumes).toBe(pauses);
    }
    expect(pauses).toBeGreaterThan(2);
    for (let c: Buffer | null; (c = parser.body!.read() as Buffer | null); ) got += c.length;
    expect(got).toBe(total);
    expect(parser.done).toBe(true);
  });
});
