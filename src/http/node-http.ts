import http from 'node:http';
import type https from 'node:https';
import type { Readable } from 'node:stream';
import { Http1Client } from './http1-client.js';
import { releaseChunk } from '../stream/read-buffers.js';
import type { TlsMaterial } from './tls.js';

/** What a sender answers: status, headers (a string, or an array when repeated) and the body. */
export interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Sends one request and answers once the response headers are in; src/http/sender.ts picks one. */
export interface Sender {
  send(method: string, url: URL, headers: Record<string, string>, body: Buffer | Readable | undefined, signal?: AbortSignal, headersTimeoutMs?: number): Promise<Answer>;
  close(): Promise<void>;
}

export interface NodeHttpOptions {
  /** No response headers this long after the request (and its body) went out fails it. */
  headersTimeoutMs: number;
  /** No body bytes this long fails the response body. */
  bodyTimeoutMs: number;
  /** An idle pooled connection is closed after this long. */
  keepAliveMs: number;
}

/** A timeout of ours, named like the network failures the retry policy knows (src/http/retry.ts). */
export class HttpTimeoutError extends Error {
  constructor(
    readonly code: 'ERR_HEADERS_TIMEOUT' | 'ERR_BODY_TIMEOUT',
    ms: number,
  ) {
    super(code === 'ERR_HEADERS_TIMEOUT' ? `no response headers within ${ms / 1000} s` : `no body bytes for ${ms / 1000} s`);
    this.name = 'HttpTimeoutError';
  }
}

/**
 * Registry requests: GET and HEAD over sockets that read into reused buffers
 * (src/http/http1-client.ts), requests with a body over node:http / node:https keep-alive
 * pools. undici's WebAssembly parser copied every chunk into its memory and V8 compiled
 * that module a second time in the background once it was hot: together about a third of
 * a plain copy's CPU (docs/decisions.md, "HTTP: node:http, undici for proxies"). undici
 * stays for proxies (src/http/undici.ts).
 */
export class NodeHttpSender implements Sender {
  private readonly plain: http.Agent;
  private secure: https.Agent | undefined;
  private readonly reads: Http1Client;

  constructor(
    private readonly tls: TlsMaterial,
    private readonly opts: NodeHttpOptions,
  ) {
    this.plain = new http.Agent({ keepAlive: true, timeout: opts.keepAliveMs, scheduling: 'lifo' });
    this.reads = new Http1Client(tls, opts);
  }

  /** node:https (and with it the TLS modules) loads on the first https request only. */
  private secureAgent(): https.Agent {
    if (!this.secure) {
      const { Agent } = process.getBuiltinModule('node:https') as typeof https;
      this.secure = new Agent({ keepAlive: true, timeout: this.opts.keepAliveMs, scheduling: 'lifo', ...this.tls });
    }
    return this.secure;
  }

  send(method: string, url: URL, headers: Record<string, string>, body: Buffer | Readable | undefined, signal?: AbortSignal, headersTimeoutMs?: number): Promise<Answer> {
    if ((method === 'GET' || method === 'HEAD') && body === undefined) return this.reads.send(method, url, headers, signal, headersTimeoutMs);
    const secure = url.protocol === 'https:';
    const agent = secure ? this.secureAgent() : this.plain;
    const request = secure ? (process.getBuiltinModule('node:https') as typeof https).request : http.request;
    const waitMs = headersTimeoutMs ?? this.opts.headersTimeoutMs;
    return new Promise<Answer>((resolve, reject) => {
      const req = request(url, { method, headers, agent, ...(signal ? { signal } : {}) });
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      // a registry may answer before the body is all sent (an early 4xx): no timer then,
      // since destroying the request later could hit its socket serving another request
      const armHeadersTimeout = (): void => {
        if (!answered) timer = setTimeout(() => req.destroy(new HttpTimeoutError('ERR_HEADERS_TIMEOUT', waitMs)), waitMs);
      };
      // `on`, not `once`: a socket error while the body streams is reported here again
      // (after the answer, when only the body's own error matters), and must not go unheard
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.once('close', () => clearTimeout(timer));
      req.once('response', (res) => {
        answered = true;
        clearTimeout(timer);
        const ms = this.opts.bodyTimeoutMs;
        res.setTimeout(ms, () => res.destroy(new HttpTimeoutError('ERR_BODY_TIMEOUT', ms)));
        resolve({ statusCode: res.statusCode ?? 0, headers: headersOf(res), body: res });
      });
      if (body === undefined || Buffer.isBuffer(body)) {
        armHeadersTimeout();
        req.end(body);
        return;
      }
      // a body that fails (a source that broke, a stalled upload) fails the request with its own error
      body.once('error', (e) => req.destroy(e));
      req.once('finish', armHeadersTimeout);
      pump(body, req);
    });
  }

  async close(): Promise<void> {
    this.plain.destroy();
    this.secure?.destroy();
    await this.reads.close();
  }
}

/**
 * body.pipe(req), except that each chunk is handed back once its write is done, so the
 * socket read buffer it may be a view of is read into again (src/stream/read-buffers.ts).
 */
function pump(body: Readable, req: http.ClientRequest): void {
  const onData = (chunk: Buffer): void => {
    if (!req.write(chunk, () => releaseChunk(chunk))) body.pause();
  };
  const onDrain = (): void => {
    body.resume();
  };
  const onEnd = (): void => {
    req.end();
  };
  body.on('data', onData);
  req.on('drain', onDrain);
  body.once('end', onEnd);
  // as pipe() does: a request that is gone takes no more of the body
  req.once('close', () => {
    body.off('data', onData);
    body.off('end', onEnd);
    req.off('drain', onDrain);
    body.pause();
  });
}

/** undici's shape: one value as a string, repeated headers as an array. */
function headersOf(res: http.IncomingMessage): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) {
    if (values) out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}
