import { FerryError, RegistryError } from '../../errors.js';

/**
 * Registry answers to a delete, said plainly. distribution's own words mislead here
 * ("The operation is unsupported", "authentication required" for a token that simply
 * lacks the delete action), so the message says what the user can act on.
 */
export function explainDeleteError(e: unknown, subject: string, location: string, repository: string, authScheme?: string): unknown {
  if (!(e instanceof RegistryError)) return e;
  const answer = `HTTP ${e.status}${e.registryCode ? ` ${e.registryCode}` : ''}`;
  if (e.status === 405 || (e.registryCode === 'UNSUPPORTED' && e.status !== 400)) {
    return new FerryError('ERR_UNSUPPORTED', `cannot delete ${subject}: the registry has deletion disabled (${answer}; distribution needs storage.delete.enabled)`, { cause: e });
  }
  if (e.status === 401 && authScheme !== 'bearer') {
    // Basic auth has no per-action grants: a 401 means the credentials themselves were refused
    return new FerryError('ERR_UNAUTHORIZED', `cannot delete ${subject}: the registry refused the credentials for ${repository} (${answer})`, { cause: e });
  }
  if (e.status === 401 || e.status === 403) {
    return new FerryError('ERR_DENIED', `cannot delete ${subject}: no permission to delete in ${repository} (${answer}; the credentials need the "delete" action there)`, { cause: e });
  }
  if (e.status === 404) return new FerryError('ERR_NOT_FOUND', `cannot delete ${subject}: not found in ${location} (${answer})`, { cause: e });
  return e;
}

/** A tag DELETE the registry does not do (distribution 2.8: 400 DIGEST_INVALID), as opposed to a real failure. */
export function isRefusedTagDelete(e: unknown): boolean {
  if (!(e instanceof RegistryError)) return false;
  if (e.status === 405 || e.status === 401 || e.status === 403) return false;
  return e.status === 400 || (e.status === 404 && e.registryCode !== 'MANIFEST_UNKNOWN') || e.registryCode === 'UNSUPPORTED';
}
