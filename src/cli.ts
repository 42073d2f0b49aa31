import { setMaxListeners } from 'node:events';
import { Command, CommanderError } from 'commander';
import { FerryError } from './errors.js';
import type { CommandContext } from './cli/commands/context.js';
import { copyCommand } from './cli/commands/copy.js';
import { inspectCommand } from './cli/commands/inspect.js';
import { listTagsCommand } from './cli/commands/list-tags.js';
import { loginCommand, logoutCommand } from './cli/commands/login.js';
import { deleteCommand } from './cli/commands/delete.js';
import { manifestMergeCommand } from './cli/commands/manifest-merge.js';
import { syncCommand } from './cli/commands/sync.js';
import { pruneCommand } from './cli/commands/prune.js';

export const VERSION = '0.1.0';

/** Error → one line and an exit status; a stack only with --debug. */
export function reportError(e: unknown, debug: boolean, stderr: NodeJS.WritableStream): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof FerryError) {
    stderr.write(`ferry: ${e.message}\n`);
    if (debug && e.stack) stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  stderr.write(`ferry: unexpected error: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err?.stack) stderr.write(`${err.stack}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  const controller = new AbortController();
  // every in-flight request listens on this one signal; 6 parallel blobs exceed Node's default of 10
  setMaxListeners(0, controller.signal);
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    // first signal: stop cleanly (temp files removed, nothing tagged); second: leave now
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`ferry: ${sig} received, stopping\n`);
    controller.abort();
  };
  // `ferry … | head` closes our stdout early; that is the reader's choice, not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    ...(debug ? { log: (line: string) => process.stderr.write(`DEBU[ferry] ${line}\n`) } : {}),
  };
  const program = new Command('ferry')
    .description('Daemonless OCI image tool: copy, inspect, delete and merge images and OCI artifacts')
    .version(VERSION)
    .option('--debug', 'log HTTP requests (secrets redacted) and show stack traces')
    .option('--insecure-policy', 'accepted for skopeo compatibility (ferry has no signature policy)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`ferry: ${s.replace(/^error: /, '')}`) });
  for (const cmd of [inspectCommand(ctx), copyCommand(ctx), listTagsCommand(ctx), deleteCommand(ctx), manifestMergeCommand(ctx), syncCommand(ctx), pruneCommand(ctx), loginCommand(ctx), logoutCommand(ctx)]) {
    cmd.exitOverride();
    cmd.configureOutput({ outputError: (s, write) => write(`ferry: ${s.replace(/^error: /, '')}`) });
    program.addCommand(cmd);
  }
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (e) {
    code = reportError(e, debug, process.stderr);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted && code !== 0) code = 130;
  process.exitCode = code;
}
