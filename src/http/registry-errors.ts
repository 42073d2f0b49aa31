import type { ErrorCode, RegistryErrorDetail } from '../errors.js';
import { RegistryError } from '../errors.js';

/**
 * Turns a failed registry answer into a RegistryError carrying the status and the
 * registry's codes. Bodies that are not distribution JSON (plain-text 404s for bad
 * names, HTML from proxies) still give a one-line error.
 */
export function parseErrorBody(body: Buffer | undefined): RegistryErrorDetail[] {
  if (!body || body.length === 0) return [];
  try {
    const doc = JSON.parse(body.toString('utf8')) as unknown;
    if (doc && typeof doc === 'object') {
      const errors = (doc as { errors?: unknown }).errors;
      if (Array.isArray(errors)) {
        return errors
          .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
          .map((e) => ({
            code: typeof e['code'] === 'string' ? e['code'] : 'UNKNOWN',
            message: typeof e['message'] === 'string' ? e['message'] : undefined,
            detail: e['detail'],
          }));
      }
      // OAuth2-style token server errors: {"error":"...","error_description":"..."}
      const err = (doc as { error?: unknown; error_description?: unknown; details?: unknown });
      if (typeof err.error === 'string') {
        const msg = typeof err.error_description === 'string' ? err.error_description : typeof err.details === 'string' ? err.details : undefined;
        return [{ code: err.error.toUpperCase(), message: msg }];
      }
    }
  } catch {
    // not JSON
  }
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 120);
  return text ? [{ code: 'UNKNOWN', message: text }] : [];
}

export function codeForStatus(status: number, errors: RegistryErrorDetail[]): ErrorCode {
  const reg = errors[0]?.code;
  if (status === 401 || reg === 'UNAUTHORIZED') return 'ERR_UNAUTHORIZED';
  if (status === 403 || reg === 'DENIED') return 'ERR_DENIED';
  if (status === 404 || reg === 'MANIFEST_UNKNOWN' || reg === 'BLOB_UNKNOWN' || reg === 'NAME_UNKNOWN') return 'ERR_NOT_FOUND';
  if (status === 405 || reg === 'UNSUPPORTED') return 'ERR_UNSUPPORTED';
  if (reg === 'DIGEST_INVALID') return 'ERR_DIGEST_MISMATCH';
  if (reg === 'MANIFEST_INVALID' || reg === 'MANIFEST_BLOB_UNKNOWN') return 'ERR_MANIFEST_INVALID';
  return 'ERR_REGISTRY';
}

export function registryError(what: string, location: string, status: number, body: Buffer | undefined): RegistryError {
  const errors = parseErrorBody(body);
  return new RegistryError(codeForStatus(status, errors), location, status, errors, what);
}
