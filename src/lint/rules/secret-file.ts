import type { LayerEntry } from '../../layers/entry.js';
import { sniffKey, type Rule, type RuleResult } from '../finding.js';

/** Files small enough to be a key or a credentials file; their first bytes are checked. */
const MAX_SNIFF_SIZE = 256 * 1024;

/** Credentials files known by their path. */
const BY_PATH: { kind: string; pattern: RegExp }[] = [
  { kind: 'SSH private key', pattern: /(^|\/)\.ssh\/id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/ },
  { kind: 'dotenv file', pattern: /(^|\/)\.env(\.(?!example$|sample$|template$|dist$)[^/]+)?$/ },
  { kind: 'AWS credentials file', pattern: /(^|\/)\.aws\/credentials$/ },
  { kind: 'Google Cloud credentials', pattern: /(^|\/)\.config\/gcloud\/(credentials\.db|application_default_credentials\.json|legacy_credentials\/.+)$/ },
  { kind: 'Azure credentials', pattern: /(^|\/)\.azure\/(accessTokens\.json|msal_token_cache\.(json|bin))$/ },
  { kind: 'Kubernetes config', pattern: /(^|\/)\.kube\/config$/ },
  { kind: 'Docker registry credentials', pattern: /(^|\/)\.docker\/config\.json$/ },
  { kind: 'git credentials', pattern: /(^|\/)\.git-credentials$/ },
  { kind: 'netrc credentials', pattern: /(^|\/)\.netrc$/ },
];

/** Credentials recognised by what a file starts with or contains near its start. */
const BY_CONTENT: { kind: string; pattern: RegExp }[] = [
  { kind: 'private key', pattern: /-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----/ },
  { kind: 'PGP private key', pattern: /-----BEGIN PGP PRIVATE KEY BLOCK-----/ },
  { kind: 'Google Cloud service account key', pattern: /"type"\s*:\s*"service_account"[\s\S]*"private_key"/ },
  { kind: 'AWS credentials', pattern: /aws_secret_access_key\s*=\s*\S/i },
  { kind: 'npm token', pattern: /_authToken\s*=\s*\S/ },
];

function wants(e: LayerEntry): boolean {
  return e.type === 'file' && !e.whiteout && e.size > 0 && e.size <= MAX_SNIFF_SIZE;
}

export const secretFile: Rule = {
  id: 'secret-file',
  severity: 'error',
  summary: 'A layer contains a private key or a credentials file (found by path or by content). Anyone who can pull the image can read it, even when a later layer deletes it.',
  fix: 'Never COPY secrets into an image. Use build secrets (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`), add the files to .dockerignore, and provide run-time secrets through the orchestrator (mounted files or a secret store). Rotate any secret that was pushed.',
  sniff: {
    wants,
    match: (head) => {
      const text = head.toString('latin1');
      return BY_CONTENT.find((c) => c.pattern.test(text))?.kind;
    },
  },
  check(ctx) {
    const out: RuleResult[] = [];
    for (const layer of ctx.layers) {
      for (const e of layer.entries) {
        if (e.whiteout || e.type !== 'file') continue;
        const kind = ctx.sniffed.get(sniffKey(secretFile.id, layer.index, e.path)) ?? BY_PATH.find((p) => p.pattern.test(e.path))?.kind;
        // the kind and place only: the secret's bytes never reach a message
        if (kind) out.push({ message: `${kind} in layer ${layer.index}: /${e.path}`, location: { layer: layer.index, path: `/${e.path}` } });
      }
    }
    return out;
  },
};
