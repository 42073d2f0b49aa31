import { parseDurationFlag } from '../../options/duration.js';
import { parseIntegerFlag, type IntegerRange } from '../../options/integer.js';

/** commander argParser: the flag's text as a whole number in range, else a one-line UsageError. */
export function integerFlag(flag: string, range: IntegerRange) {
  return (text: string): number => parseIntegerFlag(flag, text, range);
}

/** commander argParser: a Go-style duration ("2s", "1m30s") in milliseconds. */
export function durationFlag(flag: string) {
  return (text: string): number => parseDurationFlag(flag, text);
}
