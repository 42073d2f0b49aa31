'use strict';
// What the CLI bundle gets for `require('undici')` (scripts/bundle.mjs): the two things
// src/http/undici.ts imports, from undici's own files. undici's index also loads fetch,
// WebSocket, EventSource, caches and mocks, which the CLI never uses; measured in
// docs/decisions.md ("Start-up"). Library users get undici's public entry point.
// A bundle-time swap: if undici moves these files, `npm run build` fails to resolve them.
const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js');
const apiRequest = require('undici/lib/api/api-request.js');
// undici's index puts its API methods on Dispatcher.prototype; the proxy agent tunnels
// HTTPS with `connect` on its inner client, so the shim must too (without it every
// request through a proxy failed with "this[kClient].connect is not a function").
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
Dispatcher.prototype.request ??= apiRequest;
Dispatcher.prototype.connect ??= require('undici/lib/api/api-connect.js');

/** undici's `request(url, opts)` for the way ferry calls it: a URL object and a dispatcher. */
function request(url, opts) {
  const { dispatcher, ...rest } = opts;
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: url.origin,
    path: url.search ? `${url.pathname}${url.search}` : url.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  });
}

module.exports = { EnvHttpProxyAgent, request };
