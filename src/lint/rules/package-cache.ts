import type { Rule, RuleResult } from '../finding.js';

/** Caches package managers leave behind; `dir` is matched at the start of the path or after a home folder. */
const CACHES: { kind: string; pattern: RegExp; fix: string }[] = [
  { kind: 'apt package lists', pattern: /^var\/lib\/apt\/lists\/(?!lock$|partial(\/|$)|auxfiles(\/|$))/, fix: 'rm -rf /var/lib/apt/lists/*' },
  { kind: 'apt package archives', pattern: /^var\/cache\/apt\/(archives\/[^/]+\.deb$|[^/]+\.bin$)/, fix: 'apt-get clean' },
  { kind: 'apk cache', pattern: /^(etc\/apk\/cache|var\/cache\/apk)\/./, fix: 'apk add --no-cache' },
  { kind: 'yum/dnf cache', pattern: /^var\/cache\/(yum|dnf)\/./, fix: 'dnf clean all' },
  { kind: 'pip cache', pattern: /(^|\/)\.cache\/pip\/./, fix: 'pip install --no-cache-dir' },
  { kind: 'npm cache', pattern: /(^|\/)\.npm\/_cacache\/./, fix: 'npm cache clean --force' },
  { kind: 'yarn cache', pattern: /(^|\/)(\.cache\/yarn|\.yarn\/cache|\.yarn-cache)\/./, fix: 'yarn cache clean' },
];

export const packageCache: Rule = {
  id: 'package-cache',
  severity: 'warning',
  summary: 'A layer ships a package manager cache (apt lists or archives, apk, yum/dnf, pip, npm, yarn): bytes that are never used at run time.',
  fix: 'Clean up in the same RUN that installs, so the cache never lands in a layer: `RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`; `apk add --no-cache pkg`; `pip install --no-cache-dir`; `npm ci && npm cache clean --force`; or a cache mount (`RUN --mount=type=cache,target=/root/.npm`).',
  check(ctx) {
    const out: RuleResult[] = [];
    for (const layer of ctx.layers) {
      const found = new Map<string, { files: number; bytes: number; first: string }>();
      for (const e of layer.entries) {
        if (e.whiteout || e.type !== 'file') continue;
        const cache = CACHES.find((c) => c.pattern.test(e.path));
        if (!cache) continue;
        const f = found.get(cache.kind) ?? { files: 0, bytes: 0, first: e.path };
        f.files++;
        f.bytes += e.size;
        found.set(cache.kind, f);
      }
      for (const [kind, f] of found) {
        const fix = CACHES.find((c) => c.kind === kind)!.fix;
        const dir = f.first.split('/').slice(0, -1).join('/');
        out.push({ message: `layer ${layer.index} holds the ${kind}: ${f.files} files, ${f.bytes} bytes (use \`${fix}\` in the same RUN)`, location: { layer: layer.index, path: `/${dir}` } });
      }
    }
    return out;
  },
};
