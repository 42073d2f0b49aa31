import { setMaxListeners } from 'node:events';
import { Command, CommanderError } from 'commander';
import { FerryError } from './errors.js';
import { checkRefusedFlags } from './cli/commands/compat-flags.js';
import type { CommandContext } from './cli/commands/context.js';
import { copyCommand } from './cli/commands/copy.js';
import { inspectCommand } from './cli/commands/inspect.js';
import { listTagsCommand } from './cli/commands/list-tags.js';
import { loginCommand, logoutCommand } from './cli/commands/login.js';
import { deleteCommand } from './cli/commands/delete.js';
import { discoverCommand } from './cli/commands/discover.js';
import { manifestMergeCommand } from './cli/commands/manifest-merge.js';
import { syncCommand } from './cli/commands/sync.js';
import { commanderMessage, errorFormatFrom, reportError } from './cli/errors/report-error.js';
import { addGlobalFlags, applyGlobalFlags } from './cli/global-flags.js';
import { layersCommand } from './cli/commands/layers.js';
import { lsCommand } from './cli/commands/ls.js';
import { catCommand } from './cli/commands/cat.js';
import { lintCommand } from './cli/commands/lint.js';
import { debugStartupLines, ferryVersion, versionText } from './cli/version.js';
import { pruneCommand } from './cli/commands/prune.js';

/** `startupNotes`: what bin/ferry's start-up did (src/cli/startup/load-cli.ts), logged under --debug. */
export async function main(argv: string[], startupNotes: readonly string[] = []): Promise<void> {
  const debug = argv.includes('--debug');
  const format = errorFormatFrom(argv);
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
  const outputError = (s: string, write: (s: string) => void) => write(commanderMessage(s, format));
  const program = addGlobalFlags(new Command('ferry'))
    .description('Daemonless OCI image tool: copy, inspect, delete and merge images and OCI artifacts')
    .option('-V, --version', 'print the version, the Node.js version and the compression backends')
    .on('option:version', () => {
      process.stdout.write(versionText());
      throw new CommanderError(0, 'ferry.version', 'version printed');
    })
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError });
  let timeout: AbortSignal | undefined;
  program.hook('preAction', (_program, action) => {
    checkRefusedFlags(program);
    checkRefusedFlags(action);
    timeout = applyGlobalFlags(program.opts(), ctx, ferryVersion());
  });
  for (const cmd of [inspectCommand(ctx), copyCommand(ctx), listTagsCommand(ctx), deleteCommand(ctx), manifestMergeCommand(ctx), syncCommand(ctx), pruneCommand(ctx), loginCommand(ctx), logoutCommand(ctx), layersCommand(ctx), lsCommand(ctx), catCommand(ctx), lintCommand(ctx, ferryVersion()), discoverCommand(ctx)]) {
    cmd.exitOverride();
    cmd.configureOutput({ outputError });
    program.addCommand(cmd);
  }
  if (ctx.log) for (const line of debugStartupLines(startupNotes)) ctx.log(line);
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const timedOut = timeout?.aborted && !controller.signal.aborted;
    const error = timedOut ? new FerryError('ERR_TIMEOUT', `command timed out after ${Number(program.opts()["commandTimeout"]) / 1000}s (--command-timeout)`) : e;
    code = reportError(error, { debug, format, stderr: process.stderr });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted && code !== 0) code = 130;
  process.exitCode = code;
}
