// The layers of src/, as data, and a scan of every import against them. A failure names
// the file, the import and the rule it breaks. docs/design.md describes the same layers.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

interface Layer {
  name: string;
  /** Top-level folders (or files) of src/ in this layer. */
  members: string[];
}

/** Top to bottom: a file may import its own layer and the layers below it, never one above. */
const LAYERS: Layer[] = [
  { name: 'cli', members: ['cli.ts', 'cli'] },
  { name: 'public surface', members: ['index.ts'] },
  { name: 'operations', members: ['copy', 'inspect', 'delete', 'merge', 'sync', 'tags', 'login', 'layers', 'lint', 'prune', 'discover'] },
  // what is attached to an image (discovery, tag names, kinds): used by several operations, reads through transport
  { name: 'attachments', members: ['referrers'] },
  { name: 'transport', members: ['transport', 'blob-cache'] },
  { name: 'http/credentials', members: ['http', 'credentials'] },
  { name: 'stream/compression', members: ['stream', 'compression'] },
  { name: 'oci/reference', members: ['oci', 'reference', 'events.ts', 'options'] },
  { name: 'errors', members: ['errors.ts'] },
];

/** Imports between different members of one layer that are allowed; any other is not. */
const SIDEWAYS: Record<string, string[]> = {
  // commander wiring and the commands it registers (load-cli starts it)
  'cli.ts': ['cli'],
  cli: ['cli.ts'],
  // merge and sync reuse the copy engine; no other operation imports another
  merge: ['copy'],
  // sync removes tags the source dropped with delete's tag-only delete
  sync: ['copy', 'delete'],
  // prune archives (copy), deletes tag-only (delete) and selects tags as sync does
  prune: ['copy', 'delete', 'sync'],
  // lint reads layers through the walker
  lint: ['layers'],
  // the blob-location cache records transport locations (types only)
  'blob-cache': ['transport'],
  // a credential found in a file is handed to the HTTP layer as its type
  credentials: ['http'],
  compression: ['stream'],
  stream: ['compression'],
  reference: ['oci'],
  oci: ['reference'],
  'events.ts': ['oci'],
};

/** Edges that the ranking allows but the design does not. */
const DENIED: { from: string; to: RegExp; why: string }[] = [
  { from: 'operations', to: /^(http)\//, why: 'operations reach registries through the transport interfaces, never the HTTP client' },
  { from: 'operations', to: /^transport\/[^/]+\//, why: "operations use transport's interfaces (open.ts, types.ts, ...), never a location kind's folder" },
  { from: 'attachments', to: /^(http|transport\/[^/]+)\//, why: 'attachments are read and written through the transport interfaces, never the HTTP client or a location kind' },
  { from: 'cli', to: /^(http|transport\/[^/]+)\//, why: 'CLI commands are thin: one library call, never HTTP or a transport implementation' },
];

/** npm packages and the only members that may import them. */
const PACKAGES: Record<string, string[]> = {
  undici: ['http'],
  commander: ['cli.ts', 'cli'],
  'cli-progress': ['cli'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Static imports and re-exports (type-only too: they are dependencies as well) and dynamic imports. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

const memberOf = (pathInSrc: string): string => pathInSrc.split('/')[0]!;
const layerIndex = (member: string): number => LAYERS.findIndex((l) => l.members.includes(member));

/** Every rule an import breaks, as one sentence. */
export function violations(fromPath: string, spec: string): string[] {
  const fromMember = memberOf(fromPath);
  const from = layerIndex(fromMember);
  if (!spec.startsWith('.')) {
    const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    const only = PACKAGES[pkg];
    return only && !only.includes(fromMember) ? [`package ${pkg} may only be imported by ${only.join(', ')}`] : [];
  }
  const toPath = relative(SRC, resolve(dirname(join(SRC, fromPath)), spec)).replace(/\.js$/, '.ts');
  if (toPath.startsWith('..')) return [`imports from outside src/`];
  const toMember = memberOf(toPath);
  const to = layerIndex(toMember);
  if (to < 0) return [`${toMember} is in no layer: add it to LAYERS in test/unit/architecture.test.ts and to docs/design.md`];
  const out: string[] = [];
  const fromLayer = LAYERS[from]!;
  const toLayer = LAYERS[to]!;
  if (to < from) out.push(`${fromLayer.name} → ${toLayer.name} points up the layers`);
  if (to === from && fromMember !== toMember && !(SIDEWAYS[fromMember] ?? []).includes(toMember)) {
    out.push(`${fromMember} → ${toMember} is a sideways import inside ${fromLayer.name} that is not allowed`);
  }
  for (const rule of DENIED) if (rule.from === fromLayer.name && rule.to.test(toPath)) out.push(rule.why);
  return out;
}

describe('architecture: imports follow the layers', () => {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f));

  it('puts every top-level folder and file of src/ in a layer', () => {
    const unplaced = [...new Set(files.map(memberOf))].filter((m) => layerIndex(m) < 0);
    expect(unplaced, 'add these to LAYERS and docs/design.md').toEqual([]);
  });

  it('has no import that points the wrong way', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(join(SRC, file), 'utf8'))) {
        for (const why of violations(file, spec)) problems.push(`src/${file} imports '${spec}': ${why}`);
      }
    }
    expect(problems.join('\n')).toBe('');
  });

  it('catches the edges it is meant to catch', () => {
    expect(violations('copy/copy.ts', '../cli/render/human-size.js')).toEqual(['operations → cli points up the layers']);
    expect(violations('inspect/inspect.ts', '../copy/options.js')).toEqual(['inspect → copy is a sideways import inside operations that is not allowed']);
    expect(violations('delete/delete.ts', '../transport/registry/manifests.js')[0]).toMatch(/never a location kind's folder/);
    expect(violations('copy/blob-copy.ts', '../http/retry.js')[0]).toMatch(/never the HTTP client/);
    expect(violations('transport/types.ts', 'undici')).toEqual(['package undici may only be imported by http']);
    expect(violations('http/client.ts', '../credentials/index.js')[0]).toMatch(/sideways/);
    expect(violations('merge/merge.ts', '../copy/copy-image.js')).toEqual([]);
  });
});
