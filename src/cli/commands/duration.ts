import { UsageError } from '../../errors.js';

/**
 * Go's time.ParseDuration syntax, which skopeo's duration flags take ("500ms", "2s",
 * "1m30s", "1.5h"; "0" alone needs no unit). Written here for --retry-delay until the CLI
 * has one numeric-flag module; returns milliseconds.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(flag: string, value: unknown): number {
  const text = String(value).trim();
  const bad = (): UsageError => new UsageError(`${flag} takes a duration such as 500ms, 2s or 1m30s, not "${String(value)}"`);
  if (text === '0') return 0;
  const parts = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)/;
  let rest = text;
  let total = 0;
  if (rest === '') throw bad();
  while (rest !== '') {
    const m = parts.exec(rest);
    if (!m) throw bad();
    const unit = /(ns|us|µs|ms|s|m|h)$/.exec(m[0])![1]!;
    total += Number(m[0].slice(0, -unit.length)) * UNIT_MS[unit]!;
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(total)) throw bad();
  return Math.round(total);
}
