import { FerryError, UsageError } from '../errors.js';
import type { AuthCredential, CredentialProvider } from '../http/credential.js';
import type { CredentialStoreOptions } from './options.js';
import { resolveCredential } from './resolve-credential.js';

/**
 * A registry credential as a program gives it: a user name and password (or a cloud
 * registry's short-lived password, such as ECR's), or a bearer token sent as is.
 */
export type Credential = { username: string; password: string } | { token: string };

/**
 * Asked for the credential of one registry, by host as the reference spells it
 * ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "localhost:5000", "docker.io"). It is
 * called at most once per registry and connection pool (so once per operation, unless a
 * pool is shared), and only when the registry asks for authentication. `undefined` means
 * "not mine": ferry then looks in the auth files as it would without a callback.
 */
export type CredentialCallback = (registry: string) => Credential | undefined | Promise<Credential | undefined>;

/** A credential value, or a callback that produces one per registry. */
export type Credentials = Credential | CredentialCallback;

/** Where one side's credential comes from. */
export interface CredentialChoice {
  credentials?: Credentials;
  /** Access the registry anonymously, whatever the auth files say. */
  anonymous?: boolean;
}

/** Checks a value given by a program (or returned by its callback); never echoes a secret. */
export function toAuthCredential(value: unknown, registry: string): AuthCredential {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v['token'] === 'string') {
    if (v['token'] === '') throw new UsageError(`credentials for ${registry}: the token is empty`);
    return { kind: 'registry-token', token: v['token'] };
  }
  if (typeof v['username'] === 'string' && typeof v['password'] === 'string') {
    if (v['username'] === '') throw new UsageError(`credentials for ${registry}: the username is empty`);
    return { kind: 'basic', username: v['username'], password: v['password'] };
  }
  throw new UsageError(`credentials for ${registry}: expected { username, password } or { token }`);
}

async function fromCallback(callback: CredentialCallback, registry: string): Promise<AuthCredential | undefined> {
  let value: Credential | undefined;
  try {
    value = await callback(registry);
  } catch (e) {
    throw new FerryError('ERR_CREDENTIALS', `the credential callback failed for ${registry}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  return value === undefined ? undefined : toAuthCredential(value, registry);
}

/**
 * The lazy credential lookup for one registry: the program's value or callback first,
 * then the auth files and credential helpers. The HTTP layer calls it once, on the
 * first challenge.
 */
export function credentialProvider(registry: string, repository: string | undefined, choice: CredentialChoice, store: CredentialStoreOptions): CredentialProvider {
  if (choice.anonymous && choice.credentials !== undefined) {
    throw new UsageError('anonymous access and credentials cannot be combined');
  }
  // a value is checked up front, so a mistake fails before any request
  const value = choice.credentials !== undefined && typeof choice.credentials !== 'function' ? toAuthCredential(choice.credentials, registry) : undefined;
  return async () => {
    if (choice.anonymous) return undefined;
    if (value) return value;
    if (typeof choice.credentials === 'function') {
      const found = await fromCallback(choice.credentials, registry);
      if (found) return found;
    }
    return resolveCredential(registry, repository, store);
  };
}
