import { NodeHttpSender, type NodeHttpOptions, type Sender } from './node-http.js';
import type { TlsMaterial } from './tls.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * node:http(s) pools, or undici's proxy agent when a proxy is configured. undici (its
 * modules cost start-up) loads only then.
 */
export async function openSender(tls: TlsMaterial, opts: NodeHttpOptions, env: NodeJS.ProcessEnv = process.env): Promise<Sender> {
  if (!PROXY_VARIABLES.some((k) => env[k])) return new NodeHttpSender(tls, opts);
  const { UndiciProxySender } = await import('./undici.js');
  return new UndiciProxySender(tls, opts);
}
