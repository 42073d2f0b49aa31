import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { UsageError } from '../errors.js';
import { parseDockerReference } from '../reference/docker-reference.js';
import { splitTagsAndDigests, wholeMatch, type Selection } from './select.js';
import { parseVersionRange } from './semver-range.js';

/** One registry of a skopeo sync YAML file. */
export interface YamlRegistry {
  registry: string;
  repositories: Array<{ repository: string; selection: Selection }>;
  credentials?: { username: string; password: string };
  tlsVerify?: boolean;
  certDir?: string;
}

const REGISTRY_KEYS = ['images', 'images-by-tag-regex', 'images-by-semver', 'credentials', 'tls-verify', 'cert-dir'];

/**
 * Reads skopeo's sync YAML. Unlike skopeo 1.9 (which ignores what it does not know),
 * an unknown or misspelt key is an error naming the key and its line: a typo in a
 * mirror file otherwise silently mirrors less.
 */
export function parseSyncYaml(text: string, file: string): YamlRegistry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0];
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
  const fail = (node: Node | null | undefined, message: string): never => {
    throw new UsageError(`${at(node)}: ${message}`);
  };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UsageError(`${file}:${e.linePos?.[0]?.line ?? '?'}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return [];
  if (!isMap(doc.contents)) return fail(doc.contents, 'expected a map of registries');
  const keyText = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : fail(pair.key as Node, 'expected a plain key'));
  const str = (node: unknown, what: string): string =>
    isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : fail(node as Node, `${what} must be a string`);
  const mapOf = (node: unknown, what: string) => (isMap(node) ? node.items : fail(node as Node, `${what} must be a map`));

  const out: YamlRegistry[] = [];
  for (const regPair of doc.contents.items) {
    const registry = keyText(regPair);
    const entry: YamlRegistry = { registry, repositories: [] };
    const repoName = (pair: Pair): string => {
      const name = keyText(pair);
      try {
        const ref = parseDockerReference(`${registry}/${name}`);
        if (ref.tag || ref.digest) throw new Error('a repository name has no tag or digest');
        return ref.repository;
      } catch (e) {
        return fail(pair.key as Node, `invalid repository "${name}": ${(e as Error).message}`);
      }
    };
    for (const pair of mapOf(regPair.value, `registry ${registry}`)) {
      const key = keyText(pair);
      const value = pair.value as Node | null;
      switch (key) {
        case 'images':
          for (const img of mapOf(value, 'images')) {
            const list = img.value === null ? [] : isSeq(img.value) ? img.value.items.map((i) => str(i, 'a tag or digest')) : fail(img.value as Node, 'images entries must be lists of tags or digests');
            const { tags, digests } = splitTagsAndDigests(list);
            entry.repositories.push({ repository: repoName(img), selection: list.length ? { tags, digests } : {} });
          }
          break;
        case 'images-by-tag-regex':
          for (const img of mapOf(value, key)) {
            const pattern = str(img.value, 'a regular expression');
            let regex: RegExp;
            try {
              regex = new RegExp(pattern);
            } catch (e) {
              return fail(img.value as Node, `invalid regular expression "${pattern}": ${(e as Error).message}`);
            }
            entry.repositories.push({ repository: repoName(img), selection: { regex } });
          }
          break;
        case 'images-by-semver':
          for (const img of mapOf(value, key)) {
            const range = str(img.value, 'a version range');
            try {
              entry.repositories.push({ repository: repoName(img), selection: { semver: parseVersionRange(range, at(img.value as Node)) } });
            } catch (e) {
              throw new UsageError((e as Error).message);
            }
          }
          break;
        case 'credentials': {
          const creds: Record<string, string> = {};
          for (const c of mapOf(value, key)) {
            const k = keyText(c);
            if (k !== 'username' && k !== 'password') fail(c.key as Node, `unknown key "${k}" in credentials (expected username, password)`);
            creds[k] = str(c.value, k);
          }
          entry.credentials = { username: creds['username'] ?? '', password: creds['password'] ?? '' };
          break;
        }
        case 'tls-verify':
          if (!isScalar(value) || typeof value.value !== 'boolean') fail(value, 'tls-verify must be true or false');
          entry.tlsVerify = (value as { value: boolean }).value;
          break;
        case 'cert-dir':
          entry.certDir = str(value, 'cert-dir');
          break;
        default:
          fail(pair.key as Node, `unknown key "${key}" for registry ${registry} (expected one of ${REGISTRY_KEYS.join(', ')})`);
      }
    }
    out.push(entry);
  }
  return out;
}
