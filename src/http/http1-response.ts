import { Readable } from 'node:stream';
import { lendView } from '../stream/read-buffers.js';

/** Response heads larger than this are refused (Node's own limit is 16 KiB). */
const MAX_HEAD = 64 * 1024;

export interface ResponseHead {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The server keeps the connection open after this response. */
  keepAlive: boolean;
}

/** A response that is not HTTP/1.x, or breaks its own framing. */
export class HttpProtocolError extends Error {
  readonly code = 'ERR_HTTP_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };
type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

/**
 * One HTTP/1.1 response, parsed from the reads of a socket that reads into its own
 * buffers (`onread`, src/stream/read-buffers.ts): the head is copied out, body bytes are
 * pushed as views of the read buffer, so no byte is copied on the way. `feed` returns
 * false when the body's reader wants no more for now (the socket is then paused).
 */
export class ResponseParser {
  private head = '';
  private framing: Framing | undefined;
  private chunk: ChunkState = 'size';
  private chunkLeft = 0;
  private line = '';
  private paused = false;
  private keepAlive = false;
  body: Readable | undefined;
  done = false;

  constructor(
    private readonly method: string,
    private readonly onHead: (head: ResponseHead, body: Readable) => void,
    private readonly onDone: (reusable: boolean) => void,
    private readonly resume: () => void,
  ) {}

  /** Bytes buf[start, end) arrived. Throws HttpProtocolError on a malformed response. */
  feed(buf: Buffer, start: number, end: number): boolean {
    let at = start;
    while (at < end && !this.done) {
      if (!this.framing) at = this.readHead(buf, at, end);
      else at = this.readBody(buf, at, end);
    }
    if (this.done && at < end) throw new HttpProtocolError('the server sent bytes after the end of a response');
    // a finished response leaves the socket reading (its body may still be full, but it
    // asks for nothing more): the connection carries the next request
    return this.done || !this.paused;
  }

  /** The connection ended: completes a body that runs to the close, fails any other. */
  ended(): Error | undefined {
    if (this.done) return undefined;
    if (this.framing?.kind === 'close') {
      this.finish(false);
      return undefined;
    }
    return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  }

  private readHead(buf: Buffer, at: number, end: number): number {
    const before = this.head.length;
    // only the head's bytes become text when it ends in this read (body bytes may follow);
    // an end split across two reads is found in the text by the search below
    const found = buf.indexOf('\r\n\r\n', at, 'latin1');
    const upto = found >= 0 && found + 4 <= end ? found + 4 : end;
    this.head += buf.toString('latin1', at, upto);
    const stop = this.head.indexOf('\r\n\r\n');
    if (stop < 0) {
      if (this.head.length > MAX_HEAD) throw new HttpProtocolError(`response head larger than ${MAX_HEAD} bytes`);
      return end;
    }
    const used = stop + 4 - before;
    const text = this.head.slice(0, stop);
    this.head = '';
    const head = parseHead(text);
    if (head.statusCode >= 100 && head.statusCode < 200) return at + used; // 100 Continue and friends: the real answer follows
    this.framing = framingOf(this.method, head);
    if (this.framing.kind === 'close') head.keepAlive = false;
    this.body = new Readable({
      read: () => {
        if (this.paused) {
          this.paused = false;
          this.resume();
        }
      },
    });
    this.keepAlive = head.keepAlive;
    this.onHead(head, this.body);
    if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.left === 0)) this.finish(this.keepAlive);
    return at + used;
  }

  private readBody(buf: Buffer, at: number, end: number): number {
    const f = this.framing!;
    if (f.kind === 'close') return this.push(buf, at, end);
    if (f.kind === 'length') {
      const n = Math.min(f.left, end - at);
      f.left -= n;
      this.push(buf, at, at + n);
      if (f.left === 0) this.finish(this.keepAlive);
      return at + n;
    }
    return this.readChunked(buf, at, end);
  }

  private readChunked(buf: Buffer, at: number, end: number): number {
    if (this.chunk === 'data') {
      const n = Math.min(this.chunkLeft, end - at);
      this.chunkLeft -= n;
      this.push(buf, at, at + n);
      if (this.chunkLeft === 0) this.chunk = 'data-end';
      return at + n;
    }
    // size lines, the CRLF after data and trailers are short lines, read a byte at a time
    const nl = buf.indexOf(10, at);
    const stop = nl < 0 || nl >= end ? end : nl + 1;
    this.line += buf.toString('latin1', at, stop);
    if (this.line.length > 8192) throw new HttpProtocolError('chunked body: line too long');
    if (!this.line.endsWith('\n')) return stop;
    const line = this.line.replace(/\r?\n$/, '');
    this.line = '';
    if (this.chunk === 'data-end') {
      if (line !== '') throw new HttpProtocolError('chunked body: no CRLF after a chunk');
      this.chunk = 'size';
    } else if (this.chunk === 'size') {
      const size = line.split(';', 1)[0]!.trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new HttpProtocolError(`chunked body: bad chunk size "${size.slice(0, 20)}"`);
      this.chunkLeft = parseInt(size, 16);
      this.chunk = this.chunkLeft === 0 ? 'trailer' : 'data';
    } else if (line === '') {
      this.finish(this.keepAlive);
    }
    return stop;
  }

  private push(buf: Buffer, start: number, end: number): number {
    if (end > start && !this.body!.push(lendView(buf, start, end))) this.paused = true;
    return end;
  }

  private finish(reusable: boolean): void {
    this.done = true;
    this.body?.push(null);
    this.onDone(reusable);
  }
}

function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw new HttpProtocolError(`not an HTTP/1.x response (${JSON.stringify((lines[0] ?? '').slice(0, 40))})`);
  const headers: Record<string, string | string[] | undefined> = {};
  let last: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      // obsolete line folding (RFC 9112 5.2): the line continues the header before it
      const had = headers[last]!;
      if (Array.isArray(had)) had[had.length - 1] += ` ${line.trim()}`;
      else headers[last] = `${had} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line[colon - 1]!)) throw new HttpProtocolError(`malformed response header line ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    last = name;
  }
  const connection = String(headers['connection'] ?? '').toLowerCase();
  const keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  return { statusCode: Number(status[2]), headers, keepAlive };
}

function framingOf(method: string, head: ResponseHead): Framing {
  const s = head.statusCode;
  if (method === 'HEAD' || s === 204 || s === 304) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) {
    const last = String(te).split(',').pop()!.trim().toLowerCase();
    if (last === 'chunked') return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const cl = head.headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(String(cl).split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw new HttpProtocolError(`bad Content-Length ${JSON.stringify(String(cl).slice(0, 40))}`);
    return { kind: 'length', left: Number(only) };
  }
  return { kind: 'close' };
}
