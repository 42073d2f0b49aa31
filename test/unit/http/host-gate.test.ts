// A 429 from a registry pauses every client of that host (a shared gate), not only
// the one that was told: checked with a real HTTP server and two clients of one pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HostGate } from '../../../src/http/host-gate.js';
import { ClientPool } from '../../../src/transport/registry/client-pool.js';

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

describe('HostGate', () => {
  it('a later pause wins, an earlier one never shortens it', () => {
    const gate = new HostGate();
    gate.pause(5_000);
    gate.pause(10);
    expect(gate.remainingMs).toBeGreaterThan(4_000);
  });

  it('a 429 with Retry-After holds back another client of the same host until it passes', async () => {
    const arrivals: Array<{ path: string; at: number }> = [];
    let throttledAt = 0;
    let throttled = false;
    let resolve429!: () => void;
    const answered429 = new Promise<void>((r) => (resolve429 = r));
    server = createServer((req, res) => {
      arrivals.push({ path: req.url ?? '', at: Date.now() });
      if (req.url?.startsWith('/v2/a/') && !throttled) {
        throttled = true;
        throttledAt = Date.now();
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
        resolve429();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      res.end('{}');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pool = new ClientPool();
    try {
      const opts = { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 } };
      // two credential sets: two clients, one host
      const a = pool.get(host, 'one', opts);
      const b = pool.get(host, 'two', opts);
      await Promise.all([a.baseUrl(), b.baseUrl()]);
      const req = (c: typeof a, path: string) => c.request({ method: 'GET', path, scopes: [], expect: [200], what: 'reading', location: host }).then((r) => r.discard());
      const first = req(a, '/v2/a/x');
      await answered429;
      // give client a a moment to read the answer and close the gate
      await new Promise((r) => setTimeout(r, 100));
      await req(b, '/v2/b/y');
      await first;
      const bAt = arrivals.find((x) => x.path === '/v2/b/y')!.at;
      // a lower bound, not a speed claim: b cannot have been sent before the pause ended
      expect(bAt - throttledAt).toBeGreaterThanOrEqual(900);
      expect(arrivals.filter((x) => x.path === '/v2/a/x')).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});
