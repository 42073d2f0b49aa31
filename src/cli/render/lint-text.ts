import type { FindingLocation } from '../../lint/finding.js';
import type { LintReport } from '../../lint/lint.js';
import { table } from './inspect-table.js';

function where(l: FindingLocation): string {
  return [l.layer !== undefined ? `layer ${l.layer}` : '', l.configKey ?? '', l.path ?? ''].filter(Boolean).join(' ');
}

export function renderLint(report: LintReport): string {
  const counts = ['error', 'warning', 'info'].map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const summary = counts.length ? counts.map(([s, n]) => `${n} ${s}`).join(', ') : 'no findings';
  const head = `${report.location}: ${summary}${report.ignored ? ` (${report.ignored} ignored)` : ''}`;
  if (report.findings.length === 0) return head;
  const rows = report.findings.map((f) => [f.severity.toUpperCase(), f.id, `${f.platform ? `${f.platform} ` : ''}${where(f.location)}`, f.message]);
  return `${head}\n${table(rows).replace(/ +$/gm, '')}`;
}
