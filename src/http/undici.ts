import type * as Undici from 'undici';
import type { Readable } from 'node:stream';
import { EnvHttpProxyAgent, request as undiciRequest } from 'undici';
import type { Answer, NodeHttpOptions, Sender } from './node-http.js';
import type { TlsMaterial } from './tls.js';

/**
 * The parts of undici a registry client uses, from undici's public entry point. The CLI
 * bundle may swap in a trimmed build at bundle time (scripts/bundle.mjs); library code
 * never pins undici's internal file layout. Loaded only when a proxy is configured
 * (src/http/sender.ts): node:http has no proxy support.
 */
type ResponseData = Undici.Dispatcher.ResponseData;

/** Requests through HTTP(S)_PROXY / NO_PROXY, as undici's EnvHttpProxyAgent reads them. */
export class UndiciProxySender implements Sender {
  private readonly dispatcher: Undici.Dispatcher;

  constructor(tls: TlsMaterial, opts: NodeHttpOptions) {
    const agentOpts = { bodyTimeout: opts.bodyTimeoutMs, headersTimeout: opts.headersTimeoutMs, keepAliveTimeout: opts.keepAliveMs, connect: { ...tls } };
    this.dispatcher = new EnvHttpProxyAgent({ ...agentOpts, requestTls: { ...tls } });
  }

  async send(method: string, url: URL, headers: Record<string, string>, body: Buffer | Readable | undefined, signal?: AbortSignal, headersTimeoutMs?: number): Promise<Answer> {
    const timeouts = headersTimeoutMs !== undefined ? { headersTimeout: headersTimeoutMs } : {};
    const res: ResponseData = await undiciRequest(url, { method: method as Undici.Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher, signal, ...timeouts });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
