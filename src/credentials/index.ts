// Where registry credentials come from, and where `login` saves them: re-exports only.
export type { AuthCredential } from './credential.js';
export { describeCredential } from './credential.js';
export type { Credential, CredentialCallback, Credentials, CredentialChoice } from './credential-source.js';
export { credentialProvider, toAuthCredential } from './credential-source.js';
export type { CredentialStoreOptions, Env } from './options.js';
export { DEFAULT_HELPER_TIMEOUT_MS } from './options.js';
export type { ResolveCredentialOptions } from './resolve-credential.js';
export { resolveCredential } from './resolve-credential.js';
export type { CredentialDestination } from './save-credential.js';
export { saveCredential } from './save-credential.js';
export { removeCredential, removeAllCredentials } from './remove-credential.js';
export type { AuthFileLocation, AuthFileSource } from './auth-file-paths.js';
export { authFileSearchPath, loginAuthFilePath } from './auth-file-paths.js';
