import type * as Undici from 'undici';
import { Agent, EnvHttpProxyAgent, request as undiciRequest } from 'undici';

/**
 * The parts of undici a registry client uses, from undici's public entry point. The CLI
 * bundle may swap in a trimmed build at bundle time (scripts/bundle.mjs); library code
 * never pins undici's internal file layout.
 */
type ResponseData = Undici.Dispatcher.ResponseData;
type RequestOptions = Undici.Dispatcher.RequestOptions;

export { Agent };

/** Only when a proxy is configured (async so a bundle may load it on use). */
export async function envHttpProxyAgent(): Promise<typeof Undici.EnvHttpProxyAgent> {
  return EnvHttpProxyAgent;
}

export interface SendOptions extends Omit<RequestOptions, 'origin' | 'path' | 'method'> {
  method: Undici.Dispatcher.HttpMethod;
  dispatcher: Undici.Dispatcher;
}

export function request(url: URL, opts: SendOptions): Promise<ResponseData> {
  return undiciRequest(url, opts);
}

export type { ResponseData, Undici };
