import type { Challenge } from './challenge.js';
import { challengeScopes, parseChallenges } from './challenge.js';
import type { AuthCredential, CredentialProvider } from './credential.js';
import { mergeScopes, scopesCover } from './scope.js';
import { fetchToken, type Token } from './token.js';
import type { Sender } from './node-http.js';

export interface AuthenticatorOptions {
  registry: string;
  credentials: CredentialProvider;
  sender: Sender;
  allowInsecureRealm: boolean;
  userAgent: string;
  log?: (line: string) => void;
  /** Token expiry is judged by this clock. */
  now: () => number;
}

/**
 * Per-registry auth state: the challenge, the credential and a token cache keyed by
 * scope set. Concurrent requests for the same scopes share one token fetch (skopeo
 * fetches one per parallel upload); a token granted for more scopes serves fewer.
 */
export class Authenticator {
  private challenge: Challenge | undefined;
  private credential: Promise<AuthCredential | undefined> | undefined;
  private readonly tokens = new Map<string, Promise<Token>>();

  constructor(private readonly opts: AuthenticatorOptions) {}

  /** Records the challenge from a ping or a 401; Bearer is preferred over Basic. */
  setChallenge(header: string | string[] | undefined): Challenge | undefined {
    const all = parseChallenges(header);
    const chosen = all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
    if (chosen) this.challenge = chosen;
    return chosen;
  }

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  getCredential(): Promise<AuthCredential | undefined> {
    this.credential ??= this.opts.credentials();
    return this.credential;
  }

  /** The Authorization value for a request needing `scopes`, or undefined for none. */
  async header(scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const cred = await this.getCredential();
    if (cred?.kind === 'registry-token') return `Bearer ${cred.token}`;
    if (challenge.scheme === 'basic') {
      return cred?.kind === 'basic' ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}` : undefined;
    }
    if (challenge.scheme !== 'bearer') return undefined;
    const wanted = mergeScopes(scopes);
    const token = await this.token(challenge, wanted, cred, signal);
    return `Bearer ${token.value}`;
  }

  private async token(challenge: Challenge, wanted: string[], cred: AuthCredential | undefined, signal?: AbortSignal): Promise<Token> {
    const now = this.opts.now();
    for (const [key, pending] of this.tokens) {
      const t = await pending.catch(() => undefined);
      if (!t || t.expiresAt <= now) {
        if (this.tokens.get(key) === pending) this.tokens.delete(key);
        continue;
      }
      if (scopesCover(t.scopes, wanted)) return t;
    }
    const key = wanted.join(' ');
    let pending = this.tokens.get(key);
    if (!pending) {
      pending = fetchToken(challenge, wanted, {
        sender: this.opts.sender,
        registry: this.opts.registry,
        credential: cred,
        allowInsecureRealm: this.opts.allowInsecureRealm,
        userAgent: this.opts.userAgent,
        signal,
        log: this.opts.log,
        now: this.opts.now,
      });
      this.tokens.set(key, pending);
      pending.catch(() => {
        if (this.tokens.get(key) === pending) this.tokens.delete(key);
      });
    }
    return pending;
  }

  /**
   * A 401 on a request that carried a token: forget tokens for these scopes and return
   * the scopes to ask for next time (the challenge may name more, e.g. for a mount).
   * Returns undefined when retrying cannot help (no challenge, or Basic already sent).
   */
  onUnauthorized(header: string | string[] | undefined, scopes: string[], sentAuth: boolean): string[] | undefined {
    const had = this.challenge;
    const c = this.setChallenge(header);
    if (!c) return undefined;
    if (c.scheme === 'basic') return sentAuth && had?.scheme === 'basic' ? undefined : scopes;
    const wanted = mergeScopes([...scopes, ...challengeScopes(c)]);
    // a refused token is useless for every scope set it covered; start afresh
    this.tokens.clear();
    return wanted;
  }
}
