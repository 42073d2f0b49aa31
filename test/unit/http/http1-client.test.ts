// Http1Client (src/http/http1-client.ts) against real node:http and node:https servers
// on 127.0.0.1: bodies intact, keep-alive reuse and when not to reuse, timeouts, aborts,
// broken connections, TLS verification; and a NodeHttpSender upload of a body made of
// lent read-buffer views, which must hand the views back once written.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Http1Client } from '../../../src/http/http1-client.js';
import { NodeHttpSender } from '../../../src/http/node-http.js';
import { isLent, READ_BUFFER_SIZE } from '../../../src/stream/read-buffers.js';
import type { TlsMaterial } from '../../../src/http/tls.js';
import { waitUntil } from '../../support/wait-until.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Served { url: URL; server: Server; connections: () => number }

const servers: (NetServer & { closeAllConnections?: () => void })[] = [];
const clients: { close(): Promise<void> }[] = [];
let certDir = '';
let pem = { key: '', cert: '' };

beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'ferry-http1-tls-'));
  const [key, cert] = [join(certDir, 'key.pem'), join(certDir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'], { stdio: 'ignore' });
  pem = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
});

afterAll(() => rmSync(certDir, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});

/** Listens on 127.0.0.1 (closed after the test), counting connections. */
async function listen<S extends NetServer>(server: S, tls = false): Promise<{ url: URL; server: S; connections: () => number }> {
  servers.push(server);
  let connections = 0;
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/v2/blobs/x?n=1`);
  return { url, server, connections: () => connections };
}

const serve = (handler: Handler, tls = false): Promise<Served> => listen<Server>(tls ? createTlsServer(pem, handler) : createServer(handler), tls);

function client(ms = 30_000, material: TlsMaterial = { rejectUnauthorized: true }): Http1Client {
  const c = new Http1Client(material, { headersTimeoutMs: ms, bodyTimeoutMs: ms, keepAliveMs: 10_000 });
  clients.push(c);
  return c;
}

async function bytes(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const blob = randomBytes(5 * 1024 * 1024 + 123);
const sendBlob: Handler = (req, res) => {
  res.writeHead(200, { 'content-length': blob.length, 'docker-content-digest': 'sha256:abc', 'x-path': req.url ?? '' });
  res.end(blob);
};

describe('Http1Client', () => {
  it('GETs a multi-MB body intact with its status and headers', async () => {
    const { url } = await serve(sendBlob);
    const res = await client().send('GET', url, { accept: '*/*' });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'content-length': String(blob.length), 'docker-content-digest': 'sha256:abc', 'x-path': '/v2/blobs/x?n=1' });
    expect(sha256(await bytes(res.body))).toBe(sha256(blob));
  });

  it('gets every byte to a reader slower than the socket', async () => {
    const { url } = await serve(sendBlob);
    const res = await client().send('GET', url, {});
    await sleep(100); // the socket is paused with the body's buffer full
    const hash = createHash('sha256');
    let n = 0;
    for await (const c of res.body) {
      hash.update(c as Buffer);
      if (++n % 16 === 0) await sleep(1);
    }
    expect(hash.digest('hex')).toBe(sha256(blob));
  });

  it('sends requests one after another over one connection, and HEAD', async () => {
    const seen: string[] = [];
    const served = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-n']}`);
      res.writeHead(200, { 'content-length': 5 }).end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const c = client();
    const get = async (n: string): Promise<string> => (await bytes((await c.send('GET', served.url, { 'x-n': n })).body)).toString();
    for (const n of ['1', '2']) expect(await get(n)).toBe('hello');
    const head = await c.send('HEAD', served.url, { 'x-n': '3' });
    expect(head.headers['content-length']).toBe('5');
    expect((await bytes(head.body)).length).toBe(0);
    expect(await get('4')).toBe('hello');
    expect(seen).toEqual(['GET /v2/blobs/x?n=1 1', 'GET /v2/blobs/x?n=1 2', 'HEAD /v2/blobs/x?n=1 3', 'GET /v2/blobs/x?n=1 4']);
    expect(served.connections()).toBe(1);
  });

  // Fails today: the last read (here the body's last 40 000 bytes, sent on their own)
  // fills the body's buffer, so the parser reports backpressure and the socket stops
  // reading; the body then ends, nothing resumes the socket, and it goes back to the pool
  // stopped: the next request on it never gets its head (ERR_HEADERS_TIMEOUT).
  it('reuses a connection after a body whose last read filled the reader', async () => {
    const tail = randomBytes(40_000);
    const served = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': blob.length + tail.length });
      res.write(blob, () => setTimeout(() => res.end(tail), 200));
    });
    const c = client();
    const whole = sha256(Buffer.concat([blob, tail]));
    expect(sha256(await bytes((await c.send('GET', served.url, {})).body))).toBe(whole);
    const second = await c.send('GET', served.url, {}, undefined, 3000);
    expect(sha256(await bytes(second.body))).toBe(whole);
    expect(served.connections()).toBe(1);
  });

  it('reads a body that runs to the close of the connection', async () => {
    const payload = randomBytes(300_000);
    const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\n');
    const raw = await listen(createNetServer((socket) => socket.once('data', () => socket.end(Buffer.concat([head, payload])))));
    const c = client();
    for (let i = 0; i < 2; i++) expect(sha256(await bytes((await c.send('GET', raw.url, {})).body))).toBe(sha256(payload));
    expect(raw.connections()).toBe(2);
  });

  it('does not reuse a connection the server said it closes', async () => {
    const served = await serve((_req, res) => res.writeHead(200, { connection: 'close', 'content-length': 2 }).end('ok'));
    const c = client();
    for (let i = 0; i < 3; i++) expect((await bytes((await c.send('GET', served.url, {})).body)).toString()).toBe('ok');
    expect(served.connections()).toBe(3);
  });

  it('reads a chunked response written in pieces', async () => {
    const pieces = Array.from({ length: 40 }, (_, i) => randomBytes(1 + i * 997));
    const { url } = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (const p of pieces) {
        res.write(p);
        await sleep(1);
      }
      res.end();
    });
    const res = await client().send('GET', url, {});
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(sha256(await bytes(res.body))).toBe(sha256(Buffer.concat(pieces)));
  });

  it('fails a body that stops arriving with ERR_BODY_TIMEOUT', async () => {
    const { url } = await serve((_req, res) => res.writeHead(200, { 'content-length': 100 }).write('partial'));
    const res = await client(200).send('GET', url, {});
    await expect(bytes(res.body)).rejects.toMatchObject({ code: 'ERR_BODY_TIMEOUT', message: 'no body bytes for 0.2 s' });
  });

  it('gives up on a server that never answers with ERR_HEADERS_TIMEOUT', async () => {
    const { url } = await serve(() => undefined);
    await expect(client(60_000).send('GET', url, {}, undefined, 200)).rejects.toMatchObject({ code: 'ERR_HEADERS_TIMEOUT', message: 'no response headers within 0.2 s' });
  });

  it('is aborted before the request, while waiting for the head and while reading the body', async () => {
    let requests = 0;
    const { url } = await serve((req, res) => {
      requests++;
      if (req.headers['x-body']) res.writeHead(200, { 'content-length': 100 }).write('part');
    });
    const c = client();
    await expect(c.send('GET', url, {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    const waiting = new AbortController();
    const pending = c.send('GET', url, {}, waiting.signal);
    await waitUntil('the request', () => requests === 1);
    waiting.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const reading = new AbortController();
    const res = await c.send('GET', url, { 'x-body': '1' }, reading.signal);
    setTimeout(() => reading.abort(), 50);
    await expect(bytes(res.body)).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toBe(2);
  });

  it('fails the body with ECONNRESET when the server closes mid-body', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(randomBytes(5000), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const res = await client().send('GET', url, {});
    await expect(bytes(res.body)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('refuses a header value with CR or LF before sending anything', async () => {
    const served = await serve((_req, res) => res.end());
    const c = client();
    const attempt = (headers: Record<string, string>): Promise<unknown> => (async () => c.send('GET', served.url, headers))();
    for (const value of ['v\r\nx-injected: 1', 'v\nx', 'v\rx']) await expect(attempt({ 'x-a': value })).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    await expect(attempt({ 'x a': 'v' })).rejects.toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
    await sleep(50);
    expect(served.connections()).toBe(0);
  });

  it('does not reuse an idle connection the server closed', async () => {
    const served = await serve((_req, res) => res.end('ok'));
    let closed = 0;
    served.server.on('connection', (socket) => socket.on('close', () => closed++));
    const c = client();
    expect((await bytes((await c.send('GET', served.url, {})).body)).toString()).toBe('ok');
    await sleep(20);
    served.server.closeIdleConnections(); // as a server whose keep-alive timeout ran out
    await waitUntil('the server closing the connection', () => closed === 1);
    await sleep(50);
    expect((await bytes((await c.send('GET', served.url, {})).body)).toString()).toBe('ok');
    expect(served.connections()).toBe(2);
  });

  it('sends a GET again on a new connection when a reused one turns out closed before any answer', async () => {
    // the server answers the first request on each connection and hangs up on the second
    // without a word, as a server does whose keep-alive timer ran out just then
    let requests = 0;
    const raw = await listen(
      createNetServer((socket) => {
        let seen = 0;
        socket.on('data', () => {
          requests++;
          if (++seen === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          else socket.destroy();
        });
      }),
    );
    const c = client();
    for (let i = 0; i < 3; i++) expect((await bytes((await c.send('GET', raw.url, {})).body)).toString()).toBe('ok');
    // each reuse failed once and went out again on a fresh connection
    expect(raw.connections()).toBe(3);
    expect(requests).toBe(5);
  });

  it('leaves the next request working after a reader destroys a body early', async () => {
    const served = await serve(sendBlob);
    const c = client();
    const first = await c.send('GET', served.url, {});
    await new Promise<void>((r) => first.body.once('data', () => r()));
    first.body.destroy();
    const second = await c.send('GET', served.url, {});
    expect(sha256(await bytes(second.body))).toBe(sha256(blob));
    expect(served.connections()).toBe(2);
  });

  // Fails today: a body destroyed before its end closes the connection with no error, so
  // the exchange never settles and its abort listener (holding the connection and the
  // parser) stays on the signal; a run-wide signal collects one per early-destroyed body.
  it('takes its abort listener off the signal however the body ends', async () => {
    const served = await serve((req, res) => (req.headers['x-big'] ? sendBlob(req, res) : res.end('ok')));
    const c = client();
    const signal = new AbortController().signal;
    await bytes((await c.send('GET', served.url, {}, signal)).body);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const early = await c.send('GET', served.url, { 'x-big': '1' }, signal);
    await new Promise<void>((r) => early.body.once('data', () => r()));
    early.body.destroy();
    await new Promise((r) => early.body.once('close', r));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('verifies the server certificate against the CA it is given', async () => {
    const { url } = await serve(sendBlob, true);
    const res = await client(30_000, { ca: [pem.cert], rejectUnauthorized: true }).send('GET', url, {});
    expect(res.statusCode).toBe(200);
    expect(sha256(await bytes(res.body))).toBe(sha256(blob));
    const e = await client().send('GET', url, {}).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});

describe('NodeHttpSender', () => {
  it('uploads a downloaded body of lent views intact and hands the views back', async () => {
    const source = await serve(sendBlob);
    let received = '';
    const target = await serve(async (req, res) => {
      received = sha256(await bytes(req));
      res.writeHead(201).end();
    });
    const sender = new NodeHttpSender({ rejectUnauthorized: true }, { headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, keepAliveMs: 10_000 });
    clients.push(sender);
    const download = await sender.send('GET', source.url, {}, undefined);
    const uploading = sender.send('PUT', target.url, {}, download.body);
    const chunks: Buffer[] = [];
    download.body.on('data', (c: Buffer) => chunks.push(c)); // the very chunks the upload writes
    const upload = await uploading;
    expect(upload.statusCode).toBe(201);
    await bytes(upload.body);
    expect(received).toBe(sha256(blob));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.some((c) => c.length > 0 && c.buffer.byteLength === READ_BUFFER_SIZE)).toBe(true);
    await waitUntil('every view handed back', () => chunks.every((c) => !isLent(c)));
  });
});
