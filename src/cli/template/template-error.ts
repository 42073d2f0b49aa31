import { UsageError } from '../../errors.js';

/** "line L, column C" of an offset, 1-based; only the column on the first line. */
export function describePosition(source: string, pos: number): string {
  const before = source.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return line === 1 ? `column ${column}` : `line ${line}, column ${column}`;
}

/** A template that does not parse, uses what ferry does not support, or fails on the data: one line. */
export class TemplateError extends UsageError {
  constructor(source: string, pos: number, problem: string) {
    super(`--format template, ${describePosition(source, pos)}: ${problem}`);
  }
}
