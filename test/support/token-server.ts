// A Docker-style token server (the "realm" of `auth.token`) for integration
// tests: node:http only, RS256 JWTs, configurable grants, a record of every
// request so tests can count token fetches.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { signJwt, type KeyIdentification, type ResourceAccess } from './jwt.js';
import { makeSigningCertificate } from './tls-certs.js';
import { anonymousRules, defaultRules, grantAccess, parseScopes, type TokenGrantRule } from './token-grants.js';

export interface TokenServerOptions {
  /** Where the signing key and certificate are written. */
  dir: string;
  service?: string;
  issuer?: string;
  /** user → password; these are the only credentials accepted. */
  users?: Record<string, string>;
  /** Replaces the default grants (every user may do anything). */
  rules?: readonly TokenGrantRule[];
  /** Let requests without credentials pull: everywhere (`true`) or from the repositories matching these globs. */
  anonymousPull?: boolean | readonly string[];
  /** Lifetime written into `exp` and `expires_in`. distribution adds 60 s of leeway when checking `exp`. */
  ttlSeconds?: number;
  /** How the registry finds the verification key: the certificate itself (`x5c`) or its libtrust id (`kid`). */
  identifyBy?: KeyIdentification;
  /** Serve HTTPS with this certificate instead of plain HTTP. */
  tls?: { certPath: string; keyPath: string };
}

export interface TokenRequestRecord {
  method: string;
  /** `password` or `refresh_token` for the OAuth2 POST form; undefined for GET. */
  grantType?: string;
  /** The authenticated user, or null for an anonymous request. */
  account: string | null;
  service: string | null;
  clientId: string | null;
  requested: ResourceAccess[];
  granted: ResourceAccess[];
  status: number;
  time: number;
}

export interface TokenServer {
  /** Base URL of the token endpoint, as configured as the registry's realm. */
  realm: string;
  service: string;
  issuer: string;
  /** Certificate the registry trusts (its `rootcertbundle`). */
  rootCertPath: string;
  requests(): TokenRequestRecord[];
  resetRequests(): void;
  setTtl(seconds: number): void;
  /** The next `count` token requests are answered with `status` and no token. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? 'ferry-test-registry';
  const issuer = options.issuer ?? 'ferry-test-token-server';
  const users = options.users ?? {};
  const anonymousPull = options.anonymousPull ?? false;
  const rules = options.rules
    ? [...options.rules, ...anonymousRules(anonymousPull)]
    : defaultRules(Object.keys(users), anonymousPull);
  const signingCert = await makeSigningCertificate(options.dir);
  const signer = { keyPem: signingCert.keyPem, certPem: signingCert.certPem, identifyBy: options.identifyBy ?? 'x5c' };
  let ttlSeconds = options.ttlSeconds ?? 300;
  const failures: number[] = [];
  const records: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const record: TokenRequestRecord = {
      method: req.method ?? 'GET', account: null, service: null, clientId: null,
      requested: [], granted: [], status: 0, time: Date.now(),
    };
    records.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
    let params: URLSearchParams;
    if (req.method === 'GET') {
      params = url.searchParams;
    } else if (req.method === 'POST') {
      params = new URLSearchParams(await readBody(req));
      record.grantType = params.get('grant_type') ?? '';
    } else {
      return reply(405, { errors: [{ code: 'UNSUPPORTED', message: 'GET or POST only' }] });
    }
    record.service = params.get('service');
    record.clientId = params.get('client_id');
    record.requested = parseScopes(params.getAll('scope'));
    const injected = failures.shift();
    if (injected !== undefined) return reply(injected, { errors: [{ code: 'INJECTED', message: 'failure requested by the test' }] });
    if (record.service !== null && record.service !== service) {
      return reply(400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown service ${record.service}` }] });
    }
    const who = identify(req, params, users, refreshTokens, record.grantType);
    if (who === 'invalid') {
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }, {
        'www-authenticate': `Basic realm="${issuer}"`,
      });
    }
    if (who === 'bad-grant') return reply(400, { error: 'unsupported_grant_type' });
    record.account = who;
    record.granted = grantAccess(who, record.requested, rules);
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      {
        iss: issuer, sub: who ?? '', aud: service, exp: now + ttlSeconds, nbf: now - 10, iat: now,
        jti: randomBytes(16).toString('hex'), access: record.granted,
      },
      signer,
    );
    const issuedAt = new Date(now * 1000).toISOString();
    const expiresIn = Math.max(ttlSeconds, 1);
    if (req.method === 'GET') {
      const body: Record<string, unknown> = { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt };
      if (who !== null && params.get('offline_token') === 'true') body.refresh_token = newRefreshToken(refreshTokens, who);
      return reply(200, body);
    }
    // The OAuth2 form answers with access_token only, as Docker's spec says; clients must not expect `token` here.
    const body: Record<string, unknown> = { access_token: token, expires_in: expiresIn, issued_at: issuedAt, scope: params.get('scope') ?? '' };
    if (who !== null) body.refresh_token = params.get('refresh_token') ?? newRefreshToken(refreshTokens, who);
    return reply(200, body);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    realm: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertPath: signingCert.certPath,
    requests: () => [...records],
    resetRequests: () => void records.splice(0),
    setTtl: (seconds) => void (ttlSeconds = seconds),
    failNext: (status, count = 1) => void failures.push(...Array<number>(count).fill(status)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The account behind a request: a user name, null for anonymous, or why it is refused. */
function identify(
  req: IncomingMessage,
  params: URLSearchParams,
  users: Record<string, string>,
  refreshTokens: Map<string, string>,
  grantType: string | undefined,
): string | null | 'invalid' | 'bad-grant' {
  if (grantType === undefined) {
    const header = req.headers.authorization;
    if (header === undefined) return null;
    const match = /^Basic\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return 'invalid';
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return checkPassword(users, decoded.slice(0, colon), decoded.slice(colon + 1)) ?? 'invalid';
  }
  if (grantType === 'password') {
    return checkPassword(users, params.get('username') ?? '', params.get('password') ?? '') ?? 'invalid';
  }
  if (grantType === 'refresh_token') return refreshTokens.get(params.get('refresh_token') ?? '') ?? 'invalid';
  return 'bad-grant';
}

function checkPassword(users: Record<string, string>, username: string, password: string): string | undefined {
  return Object.hasOwn(users, username) && users[username] === password ? username : undefined;
}

function newRefreshToken(refreshTokens: Map<string, string>, account: string): string {
  const token = randomBytes(24).toString('base64url');
  refreshTokens.set(token, account);
  return token;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('token request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
