// A reverse proxy in front of a registry that holds every response back by a fixed
// delay before its headers go out: a link with that much latency per request, so a
// tool's cost is counted in round trips, as on a real WAN link. Bodies stream through.
import { Agent, createServer, request } from 'node:http';

export async function startLatencyProxy(target, delayMs) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    const headers = { ...req.headers, host: upstream.host };
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (up) => {
      setTimeout(() => {
        // Location headers name the upstream; clients must come back through us
        const h = { ...up.headers };
        if (typeof h.location === 'string') h.location = h.location.replace(upstream.origin, `http://${req.headers.host}`);
        res.writeHead(up.statusCode ?? 502, h);
        up.pipe(res);
      }, delayMs);
    });
    out.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(out);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${server.address().port}`;
  return {
    host,
    get requests() {
      return count;
    },
    close: () => new Promise((r) => {
      server.closeAllConnections?.();
      server.close(() => r());
      agent.destroy();
    }),
  };
}
