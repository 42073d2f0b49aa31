import { readFileSync } from 'node:fs';
import { FerryError, UsageError } from '../errors.js';

/**
 * skopeo's `--policy FILE` (containers-policy.json). ferry verifies no signatures, so it
 * can honour a policy only when the policy asks for nothing: every requirement, by default
 * and for every transport scope, is `insecureAcceptAnything`. That is the policy most CI
 * jobs pass, so such scripts keep running; any other requirement is refused by name.
 */
export function checkPolicyFile(path: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new UsageError(`--policy: cannot read ${path}: ${why}`);
  }
  const types = new Set<string>();
  const collect = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const r of list) types.add(typeof (r as { type?: unknown })?.type === 'string' ? (r as { type: string }).type : '(no type)');
  };
  const policy = doc as { default?: unknown; transports?: Record<string, Record<string, unknown>> };
  collect(policy.default);
  for (const scopes of Object.values(policy.transports ?? {})) {
    for (const list of Object.values(scopes ?? {})) collect(list);
  }
  const demanding = [...types].filter((t) => t !== 'insecureAcceptAnything');
  if (demanding.length) {
    throw new FerryError('ERR_UNSUPPORTED', `--policy: not supported: ${path} requires ${demanding.join(', ')}, and ferry neither verifies signatures nor rejects images by policy; use --insecure-policy or a policy of insecureAcceptAnything only`);
  }
}
