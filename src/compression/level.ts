import { UsageError } from '../errors.js';

export interface LevelRange {
  readonly min: number;
  readonly max: number;
}

/** The level to use: `defaultLevel` when none is given, else a checked integer in range. */
export function resolveLevel(
  codec: { readonly name: string; readonly defaultLevel: number; readonly levels: LevelRange },
  level: number | undefined,
): number {
  if (level === undefined) return codec.defaultLevel;
  const { min, max } = codec.levels;
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new UsageError(
      `${codec.name} compression level must be an integer from ${min} to ${max}, got ${level}`,
    );
  }
  return level;
}
