import { UsageError } from '../errors.js';

/** Inclusive bounds of a whole-number option; `max` omitted means no upper bound. */
export interface IntegerRange {
  min: number;
  max?: number;
}

function rangeText(range: IntegerRange): string {
  return range.max === undefined ? `a whole number of ${range.min} or more` : `a whole number from ${range.min} to ${range.max}`;
}

/**
 * Library entry check: a number option must be a finite whole number in range.
 * `NaN`, `Infinity` and 2.5 all fail here instead of slipping through a `<` comparison
 * (a NaN retry count never stops retrying).
 */
export function checkInteger(name: string, value: number | undefined, range: IntegerRange): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= range.min && (range.max === undefined || value <= range.max);
  if (!ok) throw new UsageError(`${name} must be ${rangeText(range)}, not ${String(value)}`);
}

/**
 * CLI edge: a flag's text as a whole number in range. Only plain decimal digits
 * (with a leading minus when negatives are allowed): "1e3", "0x10", " 5", "3.0" and ""
 * are refused, where Number() would take them.
 */
export function parseIntegerFlag(flag: string, text: string, range: IntegerRange): number {
  const pattern = range.min < 0 ? /^-?\d{1,15}$/ : /^\d{1,15}$/;
  const n = pattern.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || (range.max !== undefined && n > range.max)) {
    throw new UsageError(`${flag} takes ${rangeText(range)}, not "${text}"`);
  }
  return n;
}
