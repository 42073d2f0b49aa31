import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import type { Thresholds } from './finding.js';
import { ruleById } from './rules/index.js';
import { defaultThresholds } from './thresholds.js';

/** The `--config` file: finding ids to silence and thresholds to change. */
export interface LintConfig {
  ignore: string[];
  thresholds: Partial<Thresholds>;
}

/** Largest config file read; it is a short YAML list. */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export function checkRuleIds(ids: readonly string[], where: string): void {
  for (const id of ids) if (!ruleById(id)) throw new UsageError(`${where}: unknown finding id "${id}"`);
}

/**
 * Reads and checks a config file. Unknown keys and ids are errors: a typo must not
 * silently leave a finding switched on (or off).
 */
export async function loadLintConfig(path: string): Promise<LintConfig> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_FILE_BYTES) throw new UsageError(`lint config ${path} is over ${MAX_CONFIG_FILE_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read lint config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    throw new UsageError(`lint config ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`lint config ${path}: expected a mapping with "ignore" and/or "thresholds"`);
  const record = doc as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'ignore' && key !== 'thresholds') throw new UsageError(`lint config ${path}: unknown key "${key}"`);
  const ignore = record['ignore'] ?? [];
  if (!Array.isArray(ignore) || ignore.some((i) => typeof i !== 'string')) throw new UsageError(`lint config ${path}: "ignore" must be a list of finding ids`);
  checkRuleIds(ignore as string[], `lint config ${path}`);
  const thresholds: Partial<Thresholds> = {};
  const given = record['thresholds'] ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new UsageError(`lint config ${path}: "thresholds" must be a mapping`);
  for (const [key, value] of Object.entries(given)) {
    if (!(key in defaultThresholds)) throw new UsageError(`lint config ${path}: unknown threshold "${key}" (known: ${Object.keys(defaultThresholds).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UsageError(`lint config ${path}: threshold "${key}" must be a non-negative number`);
    thresholds[key as keyof Thresholds] = value;
  }
  return { ignore: ignore as string[], thresholds };
}
