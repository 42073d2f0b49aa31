// A reverse proxy in front of one registry that holds every response for a fixed
// delay before its headers go out: a loopback registry made to answer like one 25 ms
// away (the round trips cost what they cost on a real link; bandwidth stays loopback's).
// Bodies stream through untouched in both directions. The Host header is passed on as
// the client sent it, so the registry's absolute Location URLs point back at the proxy.
//
// Each proxy runs in a process of its own: in the bench's process, forwarding every
// byte of both tools' copies kept its event loop busy, so a measured process's exit was
// noticed late and both tools' wall times grew with the proxy's work.
import { spawn } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Starts the proxy in a child process on 127.0.0.1 (random port) in front of `target` ("127.0.0.1:PORT"). */
export async function startDelayProxy(target, delayMs) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), target, String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const host = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(line.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`delay proxy for ${target} exited (${code})`)));
  });
  return {
    host,
    url: `http://${host}`,
    ref: (repoTag) => `${host}/${repoTag}`,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts the proxy on 127.0.0.1 (random port) in front of `target` ("127.0.0.1:PORT"). */
async function serveDelayProxy(target, delayMs) {
  const [targetHost, targetPort] = target.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const upstream = request(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        setTimeout(() => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        }, delayMs);
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`delay proxy: ${e.message}`);
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${server.address().port}`;
  return {
    host,
    url: `http://${host}`,
    ref: (repoTag) => `${host}/${repoTag}`,
    stop: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [target, delay] = process.argv.slice(2);
  const proxy = await serveDelayProxy(target, Number(delay));
  process.stdout.write(`${proxy.host}\n`);
  process.on('SIGTERM', () => proxy.stop().then(() => process.exit(0)));
  // a bench that died without stopping us closes our stdin: go too
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
