// A small fault-injecting HTTP proxy for copy tests: it sits in front of a real
// harness registry (plain HTTP), forwards every request unchanged, and spoils the
// ones a rule picks: flips one byte of a body, cuts the connection midway, answers
// a status (a 503 burst) without forwarding, or slows a body down. The Host header
// is forwarded as sent, so the registry builds upload Locations that point back at
// the proxy and every later PATCH/PUT of an upload passes through it too.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export type FaultAction =
  /** XOR one byte of the response body with 0xff (offset into the whole blob; default its middle). */
  | { kind: 'flip-byte'; offset?: number }
  /** Send the status line, headers and this many body bytes, then destroy the socket. */
  | { kind: 'cut'; afterBytes: number }
  /** Answer this status (after draining the request body) instead of forwarding. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Forward the body at most this fast, so a copy can be interrupted midway. */
  | { kind: 'throttle'; bytesPerSecond: number }
  /** Send the status line, headers and this many body bytes, then nothing more, keeping the connection open. */
  | { kind: 'stall'; afterBytes: number }
  /** Stop reading the request body and never answer: a destination that hangs mid-upload. */
  | { kind: 'swallow' }
  /**
   * Hold the request (body read) until `release` settles, then forward it, even if the
   * client has gone meanwhile (it reached the server), or drop it unanswered.
   */
  | { kind: 'hold'; release: Promise<'forward' | 'drop'> }
  /** Answer 200 with this body and content type instead of forwarding; without Content-Length when `chunked`. */
  | { kind: 'respond'; body: Buffer; contentType: string; chunked?: boolean };

export interface FaultRule {
  /** `GET`, `POST`, …; any method when absent. */
  method?: string;
  /** Substring of, or pattern for, the request URI (path and query). */
  uri: string | RegExp;
  /** How many matching requests the rule spoils; every one when absent. */
  times?: number;
  action: FaultAction;
}

export interface ProxiedRequest {
  method: string;
  uri: string;
  /** The Range header the client sent, if any. */
  range?: string;
  /** Status the client saw (the injected one for `status` faults). */
  status: number;
  /** The fault applied to this request, if any. */
  fault?: FaultAction['kind'];
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, to use in place of the registry's host in references. */
  host: string;
  url: string;
  ref(repoTag: string): string;
  /** Replaces the rules; requests already running keep theirs. */
  setRules(rules: FaultRule[]): void;
  /** Requests seen since start or the last `resetRequests()`. */
  requests(): ProxiedRequest[];
  resetRequests(): void;
  close(): Promise<void>;
}

interface LiveRule extends FaultRule {
  left: number;
}

function matches(rule: LiveRule, req: IncomingMessage): boolean {
  if (rule.left <= 0) return false;
  if (rule.method && rule.method !== req.method) return false;
  const uri = req.url ?? '';
  return typeof rule.uri === 'string' ? uri.includes(rule.uri) : rule.uri.test(uri);
}

/** Where a 206 body starts in the whole blob (`Content-Range: bytes START-END/TOTAL`). */
function bodyStart(res: IncomingMessage): number {
  const range = res.headers['content-range'];
  const m = typeof range === 'string' ? /^bytes (\d+)-/.exec(range) : null;
  return m ? Number(m[1]) : 0;
}

class FlipByte extends Transform {
  private position: number;
  constructor(start: number, private readonly target: (total: number) => number, private readonly total: number) {
    super();
    this.position = start;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const at = this.target(this.total) - this.position;
    this.position += chunk.length;
    if (at >= 0 && at < chunk.length) {
      const copy = Buffer.from(chunk);
      copy[at] = (copy[at] ?? 0) ^ 0xff;
      cb(null, copy);
      return;
    }
    cb(null, chunk);
  }
}

class Throttle extends Transform {
  private sent = 0;
  private readonly started = Date.now();
  constructor(private readonly bytesPerSecond: number) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    // 16 KiB slices, each released when the running average allows it
    const slices: Buffer[] = [];
    for (let i = 0; i < chunk.length; i += 16 * 1024) slices.push(chunk.subarray(i, i + 16 * 1024));
    const next = (): void => {
      const slice = slices.shift();
      if (!slice) {
        cb();
        return;
      }
      this.sent += slice.length;
      const due = this.started + (this.sent / this.bytesPerSecond) * 1000;
      setTimeout(() => {
        this.push(slice);
        next();
      }, Math.max(0, due - Date.now()));
    };
    next();
  }
}

export async function startFaultProxy(target: { url: string }, rules: FaultRule[] = []): Promise<FaultProxy> {
  const upstream = new URL(target.url);
  if (upstream.protocol !== 'http:') throw new Error('the fault proxy forwards to plain-HTTP registries only');
  const agent = new Agent({ keepAlive: true });
  let live: LiveRule[] = [];
  const setRules = (next: FaultRule[]): void => {
    live = next.map((r) => ({ ...r, left: r.times ?? Number.POSITIVE_INFINITY }));
  };
  setRules(rules);
  let seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const rule = live.find((r) => matches(r, req));
    if (rule) rule.left--;
    const action = rule?.action;
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      uri: req.url ?? '',
      status: 0,
      ...(typeof req.headers.range === 'string' ? { range: req.headers.range } : {}),
      ...(action ? { fault: action.kind } : {}),
    };
    seen.push(record);

    if (action?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        record.status = action.status;
        const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected by the test fault proxy' }] });
        res.writeHead(action.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(action.retryAfterSeconds !== undefined ? { 'retry-after': String(action.retryAfterSeconds) } : {}),
        });
        res.end(body);
      });
      return;
    }

    if (action?.kind === 'swallow') {
      req.pause();
      return;
    }

    if (action?.kind === 'hold') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        void action.release.then((what) => {
          if (what === 'drop') {
            res.socket?.destroy();
            return;
          }
          const forward = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
            record.status = up.statusCode ?? 0;
            if (res.writableEnded || res.destroyed) up.resume();
            else {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
            }
          });
          forward.on('error', () => res.socket?.destroy());
          forward.end(Buffer.concat(body));
        });
      });
      return;
    }

    if (action?.kind === 'respond') {
      req.resume();
      req.on('end', () => {
        record.status = 200;
        const length = action.chunked ? {} : { 'content-length': action.body.length };
        res.writeHead(200, { 'content-type': action.contentType, ...length });
        // two writes, so a chunked answer really comes in chunks
        const half = Math.floor(action.body.length / 2);
        res.write(action.body.subarray(0, half));
        res.end(action.body.subarray(half));
      });
      return;
    }

    const forward = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        record.status = up.statusCode ?? 0;
        // a client that goes away (an interrupted copy) releases the upstream request too
        res.on('close', () => {
          if (!res.writableFinished) up.destroy();
        });
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (action?.kind === 'flip-byte') {
          const total = Number(up.headers['content-length'] ?? 0) + bodyStart(up);
          up.pipe(new FlipByte(bodyStart(up), (t) => action.offset ?? Math.floor(t / 2), total)).pipe(res);
        } else if (action?.kind === 'throttle') {
          up.pipe(new Throttle(action.bytesPerSecond)).pipe(res);
        } else if (action?.kind === 'stall') {
          let sent = 0;
          up.on('data', (chunk: Buffer) => {
            const room = action.afterBytes - sent;
            if (room <= 0) return;
            sent += Math.min(room, chunk.length);
            res.write(chunk.subarray(0, room));
            if (sent >= action.afterBytes) up.destroy();
          });
        } else if (action?.kind === 'cut') {
          let sent = 0;
          let cut = false;
          up.on('data', (chunk: Buffer) => {
            if (cut) return;
            const room = action.afterBytes - sent;
            if (chunk.length < room) {
              sent += chunk.length;
              res.write(chunk);
              return;
            }
            cut = true;
            up.destroy();
            // let the partial body reach the client before the connection dies
            res.write(chunk.subarray(0, room), () => setTimeout(() => res.socket?.destroy(), 50));
          });
          up.on('end', () => {
            if (!cut) res.end();
          });
        } else {
          up.pipe(res);
        }
      },
    );
    forward.on('error', () => res.socket?.destroy());
    req.pipe(forward);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 10_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    ref: (repoTag) => `${host}/${repoTag}`,
    setRules,
    requests: () => [...seen],
    resetRequests: () => {
      seen = [];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
