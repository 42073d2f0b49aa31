// With HTTP_PROXY set, registry requests go through the proxy (undici's EnvHttpProxyAgent;
// without a proxy ferry speaks node:http itself, src/http/sender.ts). A small forwarding
// proxy in front of the real registry records what passed through it.
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

let registry: RunningRegistry;
let image: BuiltImage;
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  const seed = `proxy-${Date.now()}`;
  image = await buildImage({ layers: [0, 1].map((i) => ({ files: { [`layer-${i}.txt`]: `${seed} ${i}\n` }, random: { size: 256 * 1024, seed: `${seed}-${i}` } })) });
  // a forward proxy for plain HTTP: absolute-form request target, forwarded as is
  proxy = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    seen.push(`${req.method} ${target.host}${target.pathname}`);
    const out = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  // undici tunnels plain HTTP too (CONNECT), by default
  proxy.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await registry?.stop();
});

describe('HTTP_PROXY', () => {
  it('carries every registry request of a copy through the proxy', async () => {
    const run = await ferryOk(['copy', '--quiet', '--no-cache', image.ociRef, `docker://${registry.ref('proxied/app:1')}`], { env: { HTTP_PROXY: proxyUrl } });
    expect(run.stdout.trim()).toBe(image.digest);
    // forwarded requests, or tunnels, to the registry and nothing else
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === `CONNECT ${registry.host}` || s.includes(` ${registry.host}/v2/`))).toBe(true);
    const stored = await skopeoInspectRaw(registry, 'proxied/app:1');
    expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(image.digest);
  });
});
