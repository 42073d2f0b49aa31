import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import type { PlatformOverride } from './child-platform.js';

/** One image of a merge and, optionally, the platform to list it under. */
export interface MergeSpecEntry {
  image: string;
  platform?: PlatformOverride;
}

/** manifest-tool's push spec: the target, extra tags, the images and index annotations. */
export interface MergeSpec {
  image?: string;
  tags: string[];
  manifests: MergeSpecEntry[];
  annotations: Record<string, string>;
}

type Doc = Record<string, unknown>;

/** An empty YAML value (failsafe reads `tags:` as "") counts as not given. */
function absent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function isDoc(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(v: unknown, where: string): string {
  if (typeof v === 'string' && v.trim() !== '') return v;
  throw new UsageError(`${where} must be a non-empty string`);
}

function stringList(v: unknown, where: string): string[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw new UsageError(`${where} must be a list`);
  return v.map((x, i) => scalar(x, `${where}[${i}]`));
}

/** manifest-tool (Go yaml.v2) spells os.version and os.features without the dot. */
const platformKeys: Record<string, keyof PlatformOverride> = {
  os: 'os',
  architecture: 'architecture',
  variant: 'variant',
  features: 'features',
  'os.version': 'os.version',
  osversion: 'os.version',
  'os.features': 'os.features',
  osfeatures: 'os.features',
};

function platformOf(v: unknown, where: string): PlatformOverride | undefined {
  if (absent(v)) return undefined;
  if (!isDoc(v)) throw new UsageError(`${where} must be a mapping (os, architecture, variant)`);
  const out: PlatformOverride = {};
  for (const [key, value] of Object.entries(v)) {
    const field = platformKeys[key.toLowerCase()];
    if (!field) throw new UsageError(`${where}: unknown platform field "${key}"`);
    if (absent(value)) continue;
    if (field === 'features' || field === 'os.features') out[field] = stringList(value, `${where}.${key}`);
    else out[field] = scalar(value, `${where}.${key}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Parses a manifest-tool YAML spec; `where` (the file name) prefixes every error. */
export function parseMergeSpec(text: string, where: string): MergeSpec {
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so `tags: [1.10]` is the tag "1.10", not 1.1
    doc = parse(text, { schema: 'failsafe' });
  } catch (e) {
    // the yaml package's messages carry a multi-line code frame; the first line says it
    throw new UsageError(`${where}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isDoc(doc)) throw new UsageError(`${where}: expected a mapping with image, tags, manifests, annotations`);
  for (const key of Object.keys(doc)) {
    if (!['image', 'tags', 'manifests', 'annotations'].includes(key)) throw new UsageError(`${where}: unknown field "${key}"`);
  }
  const manifests = doc['manifests'];
  if (!Array.isArray(manifests) || manifests.length === 0) throw new UsageError(`${where}: "manifests" must list at least one image`);
  const entries = manifests.map((m, i): MergeSpecEntry => {
    const at = `${where}: manifests[${i}]`;
    if (!isDoc(m)) throw new UsageError(`${at} must be a mapping with "image"`);
    const platform = platformOf(m['platform'], `${at}.platform`);
    return { image: scalar(m['image'], `${at}.image`), ...(platform ? { platform } : {}) };
  });
  const annotations: Record<string, string> = {};
  const rawAnnotations = doc['annotations'];
  if (!absent(rawAnnotations)) {
    if (!isDoc(rawAnnotations)) throw new UsageError(`${where}: "annotations" must be a mapping`);
    for (const [k, v] of Object.entries(rawAnnotations)) annotations[k] = scalar(v, `${where}: annotations.${k}`);
  }
  return {
    ...(!absent(doc['image']) ? { image: scalar(doc['image'], `${where}: image`) } : {}),
    tags: stringList(doc['tags'], `${where}: tags`),
    manifests: entries,
    annotations,
  };
}
