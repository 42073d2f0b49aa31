import { collectLayers } from '../layers/collect.js';
import { historyOf } from '../layers/history.js';
import { buildLayersReport } from '../layers/layer-report.js';
import { openImages, withSource, type ImageRequest, type OpenedImage } from '../layers/open-image.js';
import type { EntryVisitor } from '../layers/walk-layer.js';
import type { Platform } from '../oci/descriptor.js';
import { formatPlatform } from '../oci/platform.js';
import type { Location } from '../reference/location.js';
import type { ImageSource } from '../transport/types.js';
import { SNIFF_BYTES, severityRank, sniffKey, type Finding, type LintContext, type Thresholds } from './finding.js';
import { checkRuleIds, loadLintConfig } from './lint-config.js';
import { rules } from './rules/index.js';
import { defaultThresholds } from './thresholds.js';

export interface LintRequest extends ImageRequest {
  /** Lint every image of an index instead of the one for `platform`. */
  allPlatforms?: boolean;
  /** Finding ids to silence. */
  ignore?: string[];
  /** YAML file with `ignore:` and `thresholds:` (merged with the two fields here). */
  configFile?: string;
  thresholds?: Partial<Thresholds>;
}

export interface LintReport {
  location: string;
  images: { digest: string; platform?: Platform }[];
  findings: Finding[];
  /** Findings silenced by --ignore or the config file. */
  ignored: number;
}

/** Reads the first SNIFF_BYTES of each file a rule wants to see, and keeps only the rules' verdicts. */
function sniffer(sniffed: Map<string, string>): (layer: number) => EntryVisitor {
  const sniffing = rules.filter((r) => r.sniff);
  return (layer) => async (entry, body) => {
    const interested = sniffing.filter((r) => r.sniff!.wants(entry));
    if (interested.length === 0) return;
    // copy just the start: keeping chunks would pin the decompressor's larger buffers
    const head = Buffer.alloc(Math.min(entry.size, SNIFF_BYTES));
    let have = 0;
    // read to the end (the walker would drain it anyway) but keep only the start
    for await (const chunk of body) {
      if (have < head.length) have += chunk.copy(head, have, 0, Math.min(chunk.length, head.length - have));
    }
    for (const r of interested) {
      const verdict = r.sniff!.match(head);
      const key = sniffKey(r.id, layer, entry.path);
      if (verdict) sniffed.set(key, verdict);
      else sniffed.delete(key);
    }
  };
}

async function lintOne(source: ImageSource, image: OpenedImage, thresholds: Thresholds, signal?: AbortSignal): Promise<Finding[]> {
  const sniffed = new Map<string, string>();
  const layers = await collectLayers(source, image.manifest.layers, { signal, inspect: sniffer(sniffed) });
  const { report, tree } = buildLayersReport(source.description, image.digest, image.platform, image.config, layers);
  const runConfig = (image.config['config'] ?? {}) as Record<string, unknown>;
  const ctx: LintContext = { config: image.config, runConfig, history: historyOf(image.config), layers, tree, report, sniffed, thresholds };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const result of rule.check(ctx)) {
      // a duplicate entry in one layer must not report the same thing twice
      const key = JSON.stringify([rule.id, result.message, result.location]);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ id: rule.id, severity: rule.severity, ...result });
    }
  }
  return findings;
}

/** `ferry lint`: best-practice findings from the config, the history and the layer contents. */
export async function lint(input: string | Location, request: LintRequest = {}): Promise<LintReport> {
  const fromFile = request.configFile ? await loadLintConfig(request.configFile) : { ignore: [], thresholds: {} };
  const ignore = new Set([...fromFile.ignore, ...(request.ignore ?? [])]);
  checkRuleIds([...ignore], '--ignore');
  const thresholds: Thresholds = { ...defaultThresholds, ...fromFile.thresholds, ...request.thresholds };
  return withSource(input, request, async (source) => {
    const images = await openImages(source, { ...request, all: request.allPlatforms === true });
    const all: Finding[] = [];
    for (const image of images) {
      const findings = await lintOne(source, image, thresholds, request.signal);
      for (const f of findings) all.push(request.allPlatforms && image.platform ? { ...f, platform: formatPlatform(image.platform) } : f);
    }
    const kept = all.filter((f) => !ignore.has(f.id));
    const order = new Map(rules.map((r, i) => [r.id, i]));
    kept.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || order.get(a.id)! - order.get(b.id)!);
    return {
      location: source.description,
      images: images.map((i) => ({ digest: i.digest, ...(i.platform ? { platform: i.platform } : {}) })),
      findings: kept,
      ignored: all.length - kept.length,
    };
  });
}
