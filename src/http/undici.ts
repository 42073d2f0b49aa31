import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The parts of undici a registry client uses, loaded without undici's index: the index
 * also loads fetch, WebSocket, caches and mocks, ~125 ms of a CLI start that is ~400 ms
 * in all (docs/benchmarks.md). The deep paths are pinned by the lockfile and exercised by
 * every HTTP test; `request` below is what undici's own `request()` does after its
 * argument checks.
 */
const require = createRequire(import.meta.url);

type ResponseData = Undici.Dispatcher.ResponseData;
type RequestOptions = Undici.Dispatcher.RequestOptions;

const apiRequest = require('undici/lib/api/api-request.js') as (this: Undici.Dispatcher, opts: RequestOptions) => Promise<ResponseData>;

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;

/** Only when a proxy is configured. */
export function envHttpProxyAgent(): typeof Undici.EnvHttpProxyAgent {
  return require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
}

export interface SendOptions extends Omit<RequestOptions, 'origin' | 'path' | 'method'> {
  method: Undici.Dispatcher.HttpMethod;
  dispatcher: Undici.Dispatcher;
}

export function request(url: URL, opts: SendOptions): Promise<ResponseData> {
  const { dispatcher, ...rest } = opts;
  return apiRequest.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}

export type { ResponseData, Undici };
