import type { CollectedLayer } from '../layers/collect.js';
import type { LayerEntry } from '../layers/entry.js';
import type { HistoryEntry } from '../layers/history.js';
import type { LayersReport } from '../layers/layer-report.js';
import type { MergedTree } from '../layers/merged-tree.js';

/** Ordered: a finding "reaches" --fail-on when its rank is at least the flag's. */
export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Where a finding was made; any combination of the three. */
export interface FindingLocation {
  /** Config key, e.g. `config.User`, `config.Env[2]`, `history[4]`. */
  configKey?: string;
  /** Layer index, 0 = base layer. */
  layer?: number;
  /** Absolute path in the image filesystem. */
  path?: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  location: FindingLocation;
  /** The image's platform when an index was linted (--all-platforms). */
  platform?: string;
}

/** Limits of the size- and count-based rules; defaults in thresholds.ts. */
export interface Thresholds {
  /** wasted-space: fire when wasted bytes reach this many... */
  wastedBytes: number;
  /** ...or this share of the bytes added, once at least `wastedMinBytes` are wasted. */
  wastedRatio: number;
  wastedMinBytes: number;
  /** many-layers: more layers than this. */
  maxLayers: number;
  /** large-layer: a compressed layer larger than this. */
  largeLayerBytes: number;
}

/** Everything a rule may look at; built once per image, read-only. */
export interface LintContext {
  config: Record<string, unknown>;
  /** `config.config` of the image config (User, Env, Entrypoint, Cmd, Labels). */
  runConfig: Record<string, unknown>;
  history: HistoryEntry[];
  layers: readonly CollectedLayer[];
  tree: MergedTree;
  report: LayersReport;
  /** What rules' `sniff` recognised in file contents, by sniffKey(); matches only. */
  sniffed: ReadonlyMap<string, string>;
  thresholds: Thresholds;
}

/** What a rule reports; the registry adds its id and severity. */
export type RuleResult = Omit<Finding, 'id' | 'severity'>;

/** One rule as data: its id, default severity, what it means and how to fix it, and its check. */
export interface Rule {
  id: string;
  severity: Severity;
  summary: string;
  /** How to fix it in a Dockerfile (docs, SARIF help). */
  fix: string;
  /**
   * Content checks made while the layers stream by: for each file `wants` accepts, its
   * first SNIFF_BYTES go to `match`, and only what it returns (a label, never content) is kept.
   */
  sniff?: { wants(entry: LayerEntry): boolean; match(head: Buffer): string | undefined };
  check(ctx: LintContext): RuleResult[];
}

/** Bytes of a file's start that `sniff.match` sees. */
export const SNIFF_BYTES = 8192;

export function sniffKey(rule: string, layer: number, path: string): string {
  return `${rule}\0${layer}\0${path}`;
}
