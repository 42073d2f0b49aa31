import type { Answer, Sender } from './node-http.js';
import { FerryError } from '../errors.js';
import type { AuthCredential } from './credential.js';
import type { Challenge } from './challenge.js';
import { readBounded } from './body.js';
import { MAX_TOKEN_BODY_BYTES } from '../oci/limits.js';
import { parseErrorBody } from './registry-errors.js';
import { isLoopbackHost } from './tls.js';

export interface Token {
  value: string;
  /** ms since epoch after which the token is not used (expiry minus a margin). */
  expiresAt: number;
  scopes: string[];
}

export interface TokenFetchContext {
  sender: Sender;
  registry: string;
  credential: AuthCredential | undefined;
  allowInsecureRealm: boolean;
  userAgent: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Milliseconds since the epoch; default Date.now (tests pass their own). */
  now?: () => number;
}

/** docker's default when a token server omits expires_in. */
const DEFAULT_EXPIRES_S = 60;
/** Tokens are dropped this long before they expire, so a request does not carry a dying one. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Fetches a bearer token for `scopes` from the challenge's realm: OAuth2 POST with the
 * refresh token for identity tokens (as docker does), otherwise GET with Basic
 * credentials or anonymously.
 */
export async function fetchToken(challenge: Challenge, scopes: string[], ctx: TokenFetchContext): Promise<Token> {
  const realm = challenge.params['realm'];
  if (!realm) throw new FerryError('ERR_UNAUTHORIZED', `registry ${ctx.registry} sent a Bearer challenge without a realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new FerryError('ERR_UNAUTHORIZED', `registry ${ctx.registry} sent an invalid token realm`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (ctx.allowInsecureRealm || isLoopbackHost(url.host)))) {
    throw new FerryError('ERR_UNAUTHORIZED', `refusing to send credentials to non-HTTPS token realm ${url.origin} of ${ctx.registry}`);
  }
  const service = challenge.params['service'];
  const cred = ctx.credential;
  const headers: Record<string, string> = { 'user-agent': ctx.userAgent, accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (cred?.kind === 'identity-token') {
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.token, client_id: 'ferry' });
    if (service) form.set('service', service);
    if (scopes.length) form.set('scope', scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    if (cred?.kind === 'basic') {
      url.searchParams.set('account', cred.username);
      headers['authorization'] = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
  }
  const started = Date.now();
  let res: Answer;
  try {
    res = await ctx.sender.send(method, url, headers, body === undefined ? undefined : Buffer.from(body), ctx.signal);
  } catch (e) {
    throw new FerryError('ERR_NETWORK', `cannot reach token server ${url.origin} for ${ctx.registry}: ${(e as Error).message}`, { cause: e });
  }
  const text = await readBounded(res.body, MAX_TOKEN_BODY_BYTES, `token response from ${url.origin}`);
  ctx.log?.(`token ${method} ${url.origin}${url.pathname} scopes=[${scopes.join(' ')}] -> ${res.statusCode} (${Date.now() - started} ms)`);
  if (res.statusCode !== 200) {
    const errs = parseErrorBody(text);
    const reg = errs[0] ? ` ${errs[0].code}${errs[0].message ? `: ${errs[0].message}` : ''}` : '';
    const code = res.statusCode === 401 || res.statusCode === 403 ? 'ERR_UNAUTHORIZED' : 'ERR_REGISTRY';
    throw new FerryError(code, `token server ${url.origin} refused ${cred ? 'the credentials' : 'anonymous access'} for ${ctx.registry}: HTTP ${res.statusCode}${reg}`, {
      status: res.statusCode,
      ...(errs[0] ? { registryCode: errs[0].code } : {}),
    });
  }
  let doc: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
  try {
    doc = JSON.parse(text.toString('utf8'));
  } catch {
    throw new FerryError('ERR_REGISTRY', `token server ${url.origin} answered with invalid JSON`);
  }
  const value = doc.access_token || doc.token;
  if (!value) throw new FerryError('ERR_REGISTRY', `token server ${url.origin} answered without a token`);
  const expiresIn = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_EXPIRES_S;
  const issued = doc.issued_at ? Date.parse(doc.issued_at) : NaN;
  const now = (ctx.now ?? Date.now)();
  const base = Number.isNaN(issued) || issued > now ? now : issued;
  return { value, scopes, expiresAt: base + expiresIn * 1000 - Math.min(EXPIRY_MARGIN_MS, (expiresIn * 1000) / 4) };
}
