// NodeHttpSender (node:http keep-alive pools) against small node:http servers on
// 127.0.0.1: its timeouts, a failing upload body, the header shape the client expects,
// and keep-alive reuse.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTimeoutError, NodeHttpSender } from '../../../src/http/node-http.js';

const servers: Server[] = [];
const senders: NodeHttpSender[] = [];

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`);
}

function sender(ms = 30_000): NodeHttpSender {
  const s = new NodeHttpSender({ rejectUnauthorized: true }, { headersTimeoutMs: ms, bodyTimeoutMs: ms, keepAliveMs: 10_000 });
  senders.push(s);
  return s;
}

async function text(body: Readable): Promise<string> {
  let out = '';
  for await (const chunk of body) out += String(chunk);
  return out;
}

describe('NodeHttpSender', () => {
  it('answers status, body, single headers as strings and repeated ones as arrays', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('docker-content-digest', 'sha256:abc');
      res.setHeader('www-authenticate', ['Bearer realm="https://auth.example.com/token"', 'Basic realm="x"']);
      res.end('hello');
    });
    const res = await sender().send('GET', url, { accept: 'application/json' }, undefined);
    expect(res.statusCode).toBe(200);
    expect(res.headers['docker-content-digest']).toBe('sha256:abc');
    expect(res.headers['www-authenticate']).toEqual(['Bearer realm="https://auth.example.com/token"', 'Basic realm="x"']);
    expect(await text(res.body)).toBe('hello');
  });

  it('sends a Buffer body with its length and a stream body chunked, and reuses the connection', async () => {
    const seen: { method?: string; length?: string; chunked: boolean; body: string; port?: number }[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        seen.push({ method: req.method, length: req.headers['content-length'], chunked: req.headers['transfer-encoding'] === 'chunked', body, port: req.socket.remotePort });
        res.writeHead(201);
        res.end();
      });
    });
    const s = sender();
    for (const body of [Buffer.from('abc'), Readable.from([Buffer.from('de'), Buffer.from('f')])]) {
      const res = await s.send(Buffer.isBuffer(body) ? 'PUT' : 'PATCH', url, {}, body);
      expect(res.statusCode).toBe(201);
      await text(res.body);
    }
    expect(seen.map(({ port: _p, ...rest }) => rest)).toEqual([
      { method: 'PUT', length: '3', chunked: false, body: 'abc' },
      { method: 'PATCH', length: undefined, chunked: true, body: 'def' },
    ]);
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  it('fails with the body stream’s own error when the upload body fails', async () => {
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    const broken = new Error('source broke');
    const body = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        setImmediate(() => this.destroy(broken));
      },
    });
    await expect(sender().send('PATCH', url, {}, body)).rejects.toBe(broken);
  });

  it('gives up on a server that never answers with a retryable headers timeout', async () => {
    const url = await serve(() => undefined);
    const e = await sender(200).send('GET', url, {}, undefined).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HttpTimeoutError);
    expect(e).toMatchObject({ code: 'ERR_HEADERS_TIMEOUT', message: 'no response headers within 0.2 s' });
  });

  it('fails a response body that stops arriving with a body timeout', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const res = await sender(200).send('GET', url, {}, undefined);
    const e = await text(res.body).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'ERR_BODY_TIMEOUT', message: 'no body bytes for 0.2 s' });
  });
});
