// Upload sessions the registry destination opens must be let go (DELETE) when the copy
// fails, also one whose POST was still in flight when the copy's signal fired: the registry
// answered 202 all the same, and only ferry knows the session's location. A small node:http
// fake, so the POST can be held back exactly.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/http/client.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import { parseDockerReference } from '../../../src/reference/docker-reference.js';
import { RegistryDestination } from '../../../src/transport/registry/destination.js';
import { FakeClock } from '../../support/fake-clock.js';

const desc = { mediaType: 'application/octet-stream', digest: `sha256:${'a'.repeat(64)}`, size: 3 } as Descriptor;
const servers: Server[] = [];
const clients: RegistryClient[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A registry whose POST answers 202 after `postDelayMs`; every request is recorded as "METHOD path". */
async function fakeRegistry(postDelayMs: number): Promise<{ dest: RegistryDestination; seen: string[] }> {
  const seen: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push(`${req.method} ${path}`);
      if (path === '/v2/') return void res.writeHead(200, { 'content-length': '0' }).end();
      if (req.method === 'POST') {
        const location = `/v2/app/blobs/uploads/session-${++n}`;
        return void setTimeout(() => res.writeHead(202, { location, 'content-length': '0' }).end(), postDelayMs);
      }
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      res.writeHead(500, { 'content-length': '0' }).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new RegistryClient(host, { clock: new FakeClock() });
  clients.push(client);
  return { dest: new RegistryDestination(parseDockerReference(`${host}/app:v1`), client, `docker://${host}/app:v1`), seen };
}

describe('RegistryDestination: upload sessions are let go when the copy fails', () => {
  it('a prepared session whose POST was answered after the signal fired', async () => {
    const { dest, seen } = await fakeRegistry(150);
    const controller = new AbortController();
    dest.prepareUpload(desc, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await dest.abort();
    expect(seen.filter((s) => s !== 'GET /v2/')).toEqual(['POST /v2/app/blobs/uploads/', 'DELETE /v2/app/blobs/uploads/session-1']);
  });

  it('a putBlob aborted while its POST was in flight rejects at once and lets the session go', async () => {
    const { dest, seen } = await fakeRegistry(2_000);
    const controller = new AbortController();
    const putting = dest.putBlob(desc, Readable.from([Buffer.from('abc')]), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(putting).rejects.toBeInstanceOf(AbortedError);
    // the POST is held for 2 s: rejecting well before that is not waiting for it
    expect(Date.now() - started).toBeLessThan(1_500);
    await dest.abort();
    expect(seen.filter((s) => s !== 'GET /v2/')).toEqual(['POST /v2/app/blobs/uploads/', 'DELETE /v2/app/blobs/uploads/session-1']);
  });

  it('a registry that never answers the POST holds abort() for a bounded time only', async () => {
    const { dest } = await fakeRegistry(60_000);
    dest.prepareUpload(desc);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await dest.abort();
    // the POST is held for 60 s: returning well before that is the bound at work
    expect(Date.now() - started).toBeLessThan(9_000);
  }, 15_000);
});
