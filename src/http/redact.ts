/**
 * Redaction for everything that reaches a log or an error message. Query parameters
 * other than a known harmless few are masked: presigned storage URLs (S3, GCS, Azure)
 * carry signatures there, and upload URLs carry opaque state.
 */
const harmlessParams = new Set(['digest', 'mount', 'from', 'n', 'last', 'scope', 'service']);

export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return '<invalid url>';
  }
  if (u.username || u.password) {
    u.username = u.username ? 'REDACTED' : '';
    u.password = u.password ? 'REDACTED' : '';
  }
  for (const key of [...u.searchParams.keys()]) {
    if (!harmlessParams.has(key)) u.searchParams.set(key, 'REDACTED');
  }
  return u.toString();
}

const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-registry-auth']);

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = secretHeaders.has(k.toLowerCase()) ? 'REDACTED' : Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
