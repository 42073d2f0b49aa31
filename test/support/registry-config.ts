// The config.yml the harness hands to distribution, per mode.
import { stringify } from 'yaml';

export type RegistryMode = 'plain' | 'htpasswd-tls' | 'token';

export interface RegistryConfigInput {
  port: number;
  storageDir: string;
  deleteEnabled: boolean;
  /** distribution's in-memory blob descriptor cache (default on). */
  blobDescriptorCache?: boolean;
  tls?: { certPath: string; keyPath: string };
  htpasswdPath?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export function registryConfig(input: RegistryConfigInput): string {
  const http: Record<string, unknown> = {
    addr: `127.0.0.1:${input.port}`,
    // A fixed secret silences the startup warning; upload state is only ever read back by this process.
    secret: 'ferry-test-harness',
    headers: { 'X-Content-Type-Options': ['nosniff'] },
  };
  if (input.tls) http.tls = { certificate: input.tls.certPath, key: input.tls.keyPath };
  const config: Record<string, unknown> = {
    version: 0.1,
    log: {
      // Access lines go to stdout (combined format); the app log to stderr, kept for failure messages.
      level: 'info',
      formatter: 'json',
      accesslog: { disabled: false },
      fields: { service: 'registry' },
    },
    storage: {
      filesystem: { rootdirectory: input.storageDir },
      ...(input.blobDescriptorCache === false ? {} : { cache: { blobdescriptor: 'inmemory' } }),
      delete: { enabled: input.deleteEnabled },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
    health: { storagedriver: { enabled: false } },
  };
  if (input.htpasswdPath) config.auth = { htpasswd: { realm: 'ferry-test', path: input.htpasswdPath } };
  if (input.token) {
    config.auth = {
      token: {
        realm: input.token.realm,
        service: input.token.service,
        issuer: input.token.issuer,
        rootcertbundle: input.token.rootCertBundle,
      },
    };
  }
  return stringify(config);
}
