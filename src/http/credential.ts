/**
 * What the HTTP layer needs to know about a credential. The credentials module finds
 * them (flags, auth files, helpers); the HTTP layer only uses them.
 */
export type AuthCredential =
  | { kind: 'basic'; username: string; password: string }
  /** docker's identitytoken: an OAuth2 refresh token exchanged at the token realm. */
  | { kind: 'identity-token'; username?: string; token: string }
  /** A bearer token given directly (--registry-token); sent as is. */
  | { kind: 'registry-token'; token: string };

/** Resolves a registry's credential lazily, once, when a challenge asks for one. */
export type CredentialProvider = () => Promise<AuthCredential | undefined>;
