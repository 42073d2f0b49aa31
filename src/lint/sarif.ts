import type { Finding, Severity } from './finding.js';
import type { LintReport } from './lint.js';
import { rules } from './rules/index.js';

const LEVEL: Record<Severity, 'note' | 'warning' | 'error'> = { info: 'note', warning: 'warning', error: 'error' };
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where a finding is, as SARIF locations: the file path as an artifact, layer and config key as logical locations. */
function locationsOf(f: Finding): object[] {
  const logical = [];
  if (f.location.layer !== undefined) logical.push({ name: `layer ${f.location.layer}`, kind: 'module' });
  if (f.location.configKey) logical.push({ name: f.location.configKey, fullyQualifiedName: `config/${f.location.configKey}`, kind: 'member' });
  const location: Record<string, unknown> = {};
  if (f.location.path) location['physicalLocation'] = { artifactLocation: { uri: encodeURI(f.location.path.replace(/^\//, '')), uriBaseId: 'IMAGEROOT' } };
  if (logical.length > 0) location['logicalLocations'] = logical;
  return Object.keys(location).length > 0 ? [location] : [];
}

/** The report as a SARIF 2.1.0 log with one run, so code-scanning tools can show it. */
export function toSarif(report: LintReport, toolVersion: string): object {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ferry',
            version: toolVersion,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.summary },
              help: { text: r.fix },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        originalUriBaseIds: { IMAGEROOT: { description: { text: `filesystem of ${report.location}` } } },
        results: report.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIndex.get(f.id),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: locationsOf(f),
          properties: {
            ...(f.location.layer !== undefined ? { layer: f.location.layer } : {}),
            ...(f.location.configKey ? { configKey: f.location.configKey } : {}),
            ...(f.location.path ? { path: f.location.path } : {}),
            ...(f.platform ? { platform: f.platform } : {}),
          },
        })),
        properties: { image: report.location, digests: report.images.map((i) => i.digest) },
      },
    ],
  };
}
