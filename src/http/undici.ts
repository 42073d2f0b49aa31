import type * as Undici from 'undici';
import apiRequestModule from 'undici/lib/api/api-request.js';
import agentModule from 'undici/lib/dispatcher/agent.js';

/**
 * The parts of undici a registry client uses, imported by deep path instead of through
 * undici's index: the index also loads fetch, WebSocket, caches and mocks, ~125 ms of a
 * CLI start that is ~400 ms in all (docs/benchmarks.md). The deep paths are pinned by
 * the lockfile and exercised by every HTTP test; `request` below is what undici's own
 * `request()` does after its argument checks. Static imports, not `createRequire`, so
 * the bundler (scripts/bundle.mjs) can see and inline them.
 */
type ResponseData = Undici.Dispatcher.ResponseData;
type RequestOptions = Undici.Dispatcher.RequestOptions;

const apiRequest = apiRequestModule as unknown as (this: Undici.Dispatcher, opts: RequestOptions) => Promise<ResponseData>;

export const Agent = agentModule as unknown as typeof Undici.Agent;

/** Only when a proxy is configured. */
export async function envHttpProxyAgent(): Promise<typeof Undici.EnvHttpProxyAgent> {
  const mod = await import('undici/lib/dispatcher/env-http-proxy-agent.js');
  return mod.default as unknown as typeof Undici.EnvHttpProxyAgent;
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
