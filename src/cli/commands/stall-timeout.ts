import type { Command } from 'commander';
import { UsageError } from '../../errors.js';

/** `--stall-timeout <seconds>` for the commands that move blobs (copy, sync, manifest-merge). */
export function addStallTimeoutFlag(cmd: Command): Command {
  return cmd.option('--stall-timeout <seconds>', 'a connection that moves no data for this long is dropped: a download resumes where it stopped, an upload is retried (default 30)');
}

/** The flag as SessionOptions.stallTimeoutMs; a one-line usage error for anything but a positive number. */
export function stallTimeoutFrom(opts: Record<string, unknown>): { stallTimeoutMs?: number } {
  const value = opts['stallTimeout'];
  if (value === undefined) return {};
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--stall-timeout takes a positive number of seconds, not "${String(value)}"`);
  return { stallTimeoutMs: Math.round(seconds * 1000) };
}
