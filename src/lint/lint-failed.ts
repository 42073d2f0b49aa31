import { FerryError } from '../errors.js';
import { severityRank, type Finding, type Severity } from './finding.js';

/** `--fail-on`: findings reached the severity; the report itself was already printed. */
export class LintFailedError extends FerryError {
  readonly count: number;
  constructor(count: number, severity: Severity) {
    super('ERR_LINT_FINDINGS', `${count} finding${count === 1 ? '' : 's'} at or above ${severity} (--fail-on ${severity})`);
    this.count = count;
  }
}

/** Throws LintFailedError when any finding is at least `severity` severe. */
export function assertBelow(findings: readonly Finding[], severity: Severity): void {
  const count = findings.filter((f) => severityRank(f.severity) >= severityRank(severity)).length;
  if (count > 0) throw new LintFailedError(count, severity);
}
