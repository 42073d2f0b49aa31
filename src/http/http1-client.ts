import net from 'node:net';
import type tls from 'node:tls';
import type { Readable } from 'node:stream';
import { nextReadBuffer } from '../stream/read-buffers.js';
import { HttpProtocolError, ResponseParser } from './http1-response.js';
import type { Answer, NodeHttpOptions } from './node-http.js';
import { HttpTimeoutError } from './node-http.js';
import type { TlsMaterial } from './tls.js';

/**
 * Requests without a body (GET, HEAD: every blob and manifest read) over keep-alive
 * sockets that read into reused buffers, with the response parsed here
 * (src/http/http1-response.ts). node:http would allocate a buffer for every socket read
 * and copy every body chunk once more (docs/benchmarks.md, "Socket reads into reused
 * buffers"). Requests with a body stay on node:http (src/http/node-http.ts).
 */
export class Http1Client {
  private readonly idle = new Map<string, Connection[]>();
  private readonly open = new Set<Connection>();

  constructor(
    private readonly tls: TlsMaterial,
    private readonly opts: NodeHttpOptions,
  ) {}

  send(method: 'GET' | 'HEAD', url: URL, headers: Record<string, string>, signal?: AbortSignal, headersTimeoutMs?: number): Promise<Answer> {
    let head: string;
    try {
      head = requestHead(method, url, headers);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (signal?.aborted) return Promise.reject(abortError());
    const key = `${url.protocol}//${url.host}`;
    const waitMs = headersTimeoutMs ?? this.opts.headersTimeoutMs;
    const pooled = this.take(key);
    if (!pooled) return this.connect(key, url).exchange(method, head, waitMs, signal);
    // A server may close an idle connection just as we send on it; the request never
    // reached it, and GET and HEAD are safe to send again, once, on a new connection.
    return pooled.exchange(method, head, waitMs, signal).catch((e: unknown) => {
      const code = (e as { code?: unknown })?.code;
      if (signal?.aborted || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw e;
      return this.connect(key, url).exchange(method, head, waitMs, signal);
    });
  }

  async close(): Promise<void> {
    for (const c of this.open) c.socket.destroy();
    this.open.clear();
    this.idle.clear();
  }

  private take(key: string): Connection | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const c = list.pop()!; // most recently used first: the one least likely to be timed out by the server
      if (c.usable()) return c;
    }
    return undefined;
  }

  private connect(key: string, url: URL): Connection {
    const conn = new Connection(url, this.tls, this.opts, (c) => this.park(key, c), (c) => this.forget(key, c));
    this.open.add(conn);
    return conn;
  }

  private park(key: string, c: Connection): void {
    const list = this.idle.get(key) ?? [];
    list.push(c);
    this.idle.set(key, list);
  }

  private forget(key: string, c: Connection): void {
    this.open.delete(c);
    const list = this.idle.get(key);
    const at = list?.indexOf(c) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Header values go on the wire as they are: a CR or LF in one would start a new header. */
function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw Object.assign(new TypeError(`invalid HTTP header name "${name}"`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (/[\r\n\0]/.test(value)) throw Object.assign(new TypeError(`invalid character in HTTP header "${name}"`), { code: 'ERR_INVALID_CHAR' });
    head += `${name}: ${value}\r\n`;
  }
  return head + '\r\n';
}

class Connection {
  readonly socket: net.Socket;
  private parser: ResponseParser | undefined;
  private fail: ((e: Error) => void) | undefined;
  private readBuffer: Buffer | undefined;
  private broken = false;

  constructor(
    url: URL,
    material: TlsMaterial,
    private readonly opts: NodeHttpOptions,
    private readonly park: (c: Connection) => void,
    private readonly forget: (c: Connection) => void,
  ) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const onread = {
      buffer: () => (this.readBuffer = nextReadBuffer(this.readBuffer)),
      callback: (n: number, buf: Buffer) => this.onRead(n, buf),
    };
    if (url.protocol === 'https:') {
      const { connect } = process.getBuiltinModule('node:tls') as typeof tls;
      this.socket = connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...material, onread } as tls.ConnectionOptions);
    } else {
      this.socket = net.connect({ host, port, onread } as net.NetConnectOpts);
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (e) => this.close(e));
    this.socket.on('end', () => this.close(this.parser?.ended()));
    this.socket.on('close', () => this.close(this.parser?.ended()));
    this.socket.on('timeout', () => {
      if (this.parser && !this.parser.done) this.close(new HttpTimeoutError('ERR_BODY_TIMEOUT', this.opts.bodyTimeoutMs));
      else this.close(undefined); // idle past keep-alive
    });
  }

  usable(): boolean {
    return !this.broken && !this.socket.destroyed && this.socket.readable && this.socket.writable;
  }

  exchange(method: string, head: string, headersTimeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    this.socket.ref();
    this.socket.setTimeout(0);
    return new Promise<Answer>((resolve, reject) => {
      let answered = false;
      const timer = setTimeout(() => this.close(new HttpTimeoutError('ERR_HEADERS_TIMEOUT', headersTimeoutMs)), headersTimeoutMs);
      const onAbort = (): void => this.close(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const parser = new ResponseParser(
        method,
        (res, body) => {
          answered = true;
          clearTimeout(timer);
          this.socket.setTimeout(this.opts.bodyTimeoutMs);
          // a reader that stops early (an error body it does not want) leaves the rest
          // unread: that socket cannot carry another request
          body.on('close', () => {
            if (parser.done) return;
            settle();
            this.close(undefined);
          });
          resolve({ statusCode: res.statusCode, headers: res.headers, body: body as Readable });
        },
        (reusable) => {
          settle();
          this.parser = undefined;
          this.fail = undefined;
          if (!reusable) {
            this.close(undefined);
            return;
          }
          this.socket.setTimeout(this.opts.keepAliveMs);
          this.socket.unref();
          this.park(this);
        },
        () => this.socket.resume(),
      );
      this.parser = parser;
      this.fail = (e) => {
        settle();
        if (!answered) reject(e);
        else parser.body?.destroy(e);
      };
      this.socket.write(head);
    });
  }

  private onRead(n: number, buf: Buffer): boolean {
    if (!this.parser) {
      // bytes nobody asked for (or a server closing with a message): never reuse this one
      this.close(undefined);
      return false;
    }
    try {
      return this.parser.feed(buf, 0, n);
    } catch (e) {
      this.close(e instanceof HttpProtocolError ? e : (e as Error));
      return false;
    }
  }

  private close(e: Error | undefined): void {
    if (!this.broken) {
      this.broken = true;
      this.forget(this);
    }
    const fail = this.fail;
    this.fail = undefined;
    this.parser = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    if (e && fail) fail(e);
  }
}
