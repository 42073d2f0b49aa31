// A reverse proxy in front of one registry that holds every response for a fixed
// delay before its headers go out: a loopback registry made to answer like one 25 ms
// away (the round trips cost what they cost on a real link; bandwidth stays loopback's).
// Bodies stream through untouched in both directions. The Host header is passed on as
// the client sent it, so the registry's absolute Location URLs point back at the proxy.
import { Agent, createServer, request } from 'node:http';

/** Starts the proxy on 127.0.0.1 (random port) in front of `target` ("127.0.0.1:PORT"). */
export async function startDelayProxy(target, delayMs) {
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
