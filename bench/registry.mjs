// A CNCF distribution registry (`docker-registry serve`) on 127.0.0.1, plain HTTP, a
// random port and temporary storage, with its combined-format access log (stdout)
// captured so every request a tool makes can be counted. Same approach as
// test/support/registry.ts, in plain ESM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SYNC_PATH = '/ferry-bench-log-sync/';
const COMBINED = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/;

export function parseAccessLogLine(line) {
  const m = COMBINED.exec(line.trim());
  if (!m) return undefined;
  const uri = m[5];
  const q = uri.indexOf('?');
  return { method: m[4], uri, path: q < 0 ? uri : uri.slice(0, q), status: Number(m[7]), bytes: m[8] === '-' ? 0 : Number(m[8]), userAgent: m[10] };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function config(port, storageDir) {
  // JSON is YAML: distribution reads this as its config.yml
  return JSON.stringify({
    version: '0.1',
    log: { level: 'warn', formatter: 'json', accesslog: { disabled: false }, fields: { service: 'registry' } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      cache: { blobdescriptor: 'inmemory' },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: 'ferry-bench', headers: { 'X-Content-Type-Options': ['nosniff'] } },
    health: { storagedriver: { enabled: false } },
  });
}

async function ping(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res;
  } catch {
    return undefined;
  }
}

/** Starts one registry; `name` only labels its temp directory. */
export async function startRegistry(name) {
  const dir = await mkdtemp(join(tmpdir(), `ferry-bench-${name}-`));
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configPath = join(dir, 'config.yml');
    await writeFile(configPath, config(port, storageDir));
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) if (p.trim()) lines.push(p);
    });
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    const deadline = Date.now() + 20000;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      const res = await ping(`${url}/v2/`);
      if (res?.headers.get('docker-distribution-api-version')) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!ready) {
      child.kill('SIGKILL');
      if (attempt < 5 && stderr.includes('address already in use')) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`registry ${name} did not start:\n${stderr.slice(-3000)}`);
    }
    // The access line is written after the response went out: a request of our own,
    // waited for in the log, flushes everything answered before it.
    const sync = async () => {
      const nonce = randomBytes(8).toString('hex');
      const from = lines.length;
      await ping(`${url}${SYNC_PATH}${nonce}`);
      const until = Date.now() + 10000;
      while (!lines.some((l, i) => i >= from && l.includes(nonce))) {
        if (Date.now() > until) throw new Error(`registry ${name}: access log line never appeared`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return lines.length;
    };
    await sync();
    return {
      name,
      host,
      url,
      storageDir,
      ref: (repoTag) => `${host}/${repoTag}`,
      /** A position in the access log. */
      mark: sync,
      /** Requests logged between `from` (a mark) and now, without our own sync probes. */
      since: async (from) => {
        const end = await sync();
        return lines.slice(from, end).flatMap((l) => parseAccessLogLine(l) ?? []).filter((e) => !e.path.startsWith(SYNC_PATH));
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const done = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await done;
          clearTimeout(t);
        }
        await rm(dir, { recursive: true, force: true });
      },
      pid: child.pid,
    };
  }
}

/** `{ HEAD: 6, PUT: 7 }` */
export function countByMethod(entries) {
  const counts = {};
  for (const e of entries) counts[e.method] = (counts[e.method] ?? 0) + 1;
  return counts;
}
