import type { AuthCredential } from '../http/credential.js';

/** A registry credential, wherever it came from: one type with what the HTTP layer uses. */
export type { AuthCredential };

/** A description safe for logs and messages: the kind and user name, never a secret. */
export function describeCredential(cred: AuthCredential): string {
  switch (cred.kind) {
    case 'basic':
      return `username "${cred.username}"`;
    case 'identity-token':
      return cred.username ? `identity token for "${cred.username}"` : 'identity token';
    case 'registry-token':
      return 'registry token';
  }
}
