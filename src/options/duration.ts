import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Longest duration accepted (24 days): setTimeout cannot wait longer than 2^31-1 ms. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * A duration as skopeo (Go's time.ParseDuration) takes it: "2s", "1m30s", "1.5h",
 * "250ms", or "0". A number without a unit other than 0 is refused, as Go does, since
 * "--retry-delay 5" could mean seconds or milliseconds. Returns milliseconds.
 */
export function parseDurationFlag(flag: string, text: string): number {
  const bad = (why: string) => new UsageError(`${flag} takes a duration such as 2s, 500ms or 1m30s, not "${text}" (${why})`);
  if (text === '0') return 0;
  if (text === '') throw bad('empty');
  if (text.startsWith('-')) throw bad('negative');
  const body = text.startsWith('+') ? text.slice(1) : text;
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const at = PART.lastIndex;
    const m = PART.exec(body);
    if (!m || m.index !== at) throw bad(/^\d+(\.\d*)?$/.test(body) ? 'missing unit' : `unexpected "${body.slice(at)}"`);
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  if (body === '') throw bad('empty');
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) throw bad('too long');
  return Math.round(ms);
}

/** Library entry check: a duration option in milliseconds must be finite and not negative. */
export function checkDurationMs(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DURATION_MS) {
    throw new UsageError(`${name} must be a number of milliseconds from 0 to ${MAX_DURATION_MS}, not ${String(value)}`);
  }
}
