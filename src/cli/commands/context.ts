import type { SessionOptions } from '../../transport/open.js';

/** What every command gets from the CLI: output streams, the abort signal, the debug sink. */
export interface CommandContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal: AbortSignal;
  log?: (line: string) => void;
}

export function session(ctx: CommandContext, opts: Record<string, unknown>): SessionOptions & { signal: AbortSignal } {
  const retry = opts['retryTimes'];
  return {
    signal: ctx.signal,
    ...(ctx.log ? { log: ctx.log } : {}),
    ...(typeof retry === 'string' ? { retryTimes: Number(retry) } : {}),
  };
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
}
