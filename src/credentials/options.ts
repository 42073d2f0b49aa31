import { homedir as osHomedir } from 'node:os';

/** Environment variables as read by the lookup; injectable so tests never see the real ones. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Long enough for a helper that asks for a GPG passphrase or touches a keychain
 * prompt; short enough that a wedged helper does not hang a CI job forever.
 */
export const DEFAULT_HELPER_TIMEOUT_MS = 60_000;

/** Options shared by lookup, login and logout. */
export interface CredentialStoreOptions {
  /** Defaults to process.env. Also the environment credential helpers run with (PATH finds them). */
  env?: Env;
  /** Defaults to env.HOME, then os.homedir(). */
  homedir?: string;
  /** `--authfile`: use only this file, for reading and for writing. */
  authFile?: string;
  /** Per helper call; a helper still running after this is killed. */
  helperTimeoutMs?: number;
  signal?: AbortSignal;
  /** Receives one-line notes on where credentials were found; never a secret. */
  debug?: (message: string) => void;
}

export interface ResolvedStoreOptions {
  env: Env;
  homedir: string;
  /** The only auth file to use, from `--authfile` or REGISTRY_AUTH_FILE, if either was given. */
  authFile: { path: string; source: 'authfile' | 'REGISTRY_AUTH_FILE' } | undefined;
  helperTimeoutMs: number;
  signal: AbortSignal | undefined;
  debug: (message: string) => void;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The one place where defaults are filled in. */
export function resolveStoreOptions(options: CredentialStoreOptions = {}): ResolvedStoreOptions {
  const env = options.env ?? process.env;
  const flag = nonEmpty(options.authFile);
  const fromEnv = nonEmpty(env.REGISTRY_AUTH_FILE);
  // skopeo and podman use REGISTRY_AUTH_FILE as the default value of --authfile,
  // so it is exclusive in the same way the flag is.
  const authFile = flag
    ? { path: flag, source: 'authfile' as const }
    : fromEnv
      ? { path: fromEnv, source: 'REGISTRY_AUTH_FILE' as const }
      : undefined;
  return {
    env,
    homedir: nonEmpty(options.homedir) ?? nonEmpty(env.HOME) ?? osHomedir(),
    authFile,
    helperTimeoutMs: options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
    signal: options.signal,
    debug: options.debug ?? (() => {}),
  };
}
