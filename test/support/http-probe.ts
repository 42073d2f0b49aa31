// A tiny HTTP(S) client for the harness itself (readiness checks, log syncs,
// raw assertions in tests). It deliberately avoids ferry's own client so a bug
// there cannot make the harness lie.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** PEM of a CA to trust for https URLs. */
  ca?: string | Buffer;
  /** Basic credentials, sent as given (the harness never decides for you). */
  basicAuth?: { username: string; password: string };
  timeoutMs?: number;
}

export interface ProbeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export function probe(url: string | URL, options: ProbeOptions = {}): Promise<ProbeResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.basicAuth) {
    const { username, password } = options.basicAuth;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers,
        ca: options.ca,
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${options.method ?? 'GET'} ${target.href}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
