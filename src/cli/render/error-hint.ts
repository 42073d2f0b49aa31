/**
 * Library hints name options in backticks (`` `tlsVerify: false` ``) so they read the
 * same to a program; the CLI says the flag instead. An option missing from this table
 * is printed without its backticks.
 */
const flagFor: Readonly<Record<string, string>> = {
  certDir: '--cert-dir, --src-cert-dir or --dest-cert-dir',
  'tlsVerify: false': '--tls-verify=false',
  authFile: '--authfile',
  'manifest: true': '--manifest',
  'replace: true': '--replace',
  "format: 'oci'": '--format oci',
  annotations: '--annotation',
  raw: '--raw',
  preserveDigests: '--preserve-digests',
};

export function cliHint(hint: string): string {
  return hint.replace(/`([^`]+)`/g, (_m, option: string) => flagFor[option] ?? option);
}
