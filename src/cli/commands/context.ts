import { Option, type Command } from 'commander';
import type { Platform } from '../../oci/descriptor.js';
import { hostPlatform } from '../../oci/platform.js';
import type { SessionOptions } from '../../transport/open.js';
import { durationFlag, integerFlag } from './number-flags.js';

/** Platform fields given with the global --override-os/--override-arch/--override-variant. */
export interface PlatformOverride {
  os?: string;
  architecture?: string;
  variant?: string;
}

/** What every command gets from the CLI: output streams, the abort signal, the debug sink, global flags. */
export interface CommandContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Ctrl-C, and --command-timeout when given (set before the action runs). */
  signal: AbortSignal;
  log?: (line: string) => void;
  userAgent?: string;
  platform?: PlatformOverride;
}

/** --retry-times and --retry-delay, validated where they are parsed. */
export function addRetryFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--retry-times <n>', 'retries for transient failures (default 3)').argParser(integerFlag('--retry-times', { min: 0 })))
    .addOption(new Option('--retry-delay <duration>', 'fixed wait between retries, e.g. 2s (default: exponential backoff)').argParser(durationFlag('--retry-delay')));
}

export function session(ctx: CommandContext, opts: Record<string, unknown>): SessionOptions & { signal: AbortSignal } {
  const retry = opts['retryTimes'];
  const delay = opts['retryDelay'];
  return {
    signal: ctx.signal,
    ...(ctx.log ? { log: ctx.log } : {}),
    ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
    ...(typeof retry === 'number' ? { retryTimes: retry } : {}),
    ...(typeof delay === 'number' ? { retryDelayMs: delay } : {}),
  };
}

/**
 * The platform --override-* pick for commands that keep one image of an index: the
 * host's, with the given fields replaced (a new architecture drops the host's variant).
 */
export function overridePlatform(ctx: CommandContext): Platform | undefined {
  const o = ctx.platform;
  if (!o) return undefined;
  const host = hostPlatform();
  const variant = o.variant ?? (o.architecture && o.architecture !== host.architecture ? undefined : host.variant);
  return { os: o.os ?? host.os, architecture: o.architecture ?? host.architecture, ...(variant ? { variant } : {}) };
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
}
