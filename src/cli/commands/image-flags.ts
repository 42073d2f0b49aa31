import { Option, type Command } from 'commander';
import type { ImageRequest } from '../../layers/open-image.js';
import { addSideFlags, sideOptions } from './flags.js';
import { session, type CommandContext } from './context.js';

/** Flags of the commands that read one image's layers (layers, ls, cat, lint). */
export function addImageFlags(cmd: Command, formats?: string[]): Command {
  cmd
    .argument('<location>', 'docker://REF, oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or dir:PATH')
    .option('--platform <os/arch[/variant]>', "pick this platform from an index (default: the host's)")
    .option('--retry-times <n>', 'retries for transient failures');
  if (formats) cmd.addOption(new Option('--format <format>', 'output format').choices(formats).default(formats[0]));
  return addSideFlags(cmd, '');
}

export function imageRequest(ctx: CommandContext, opts: Record<string, unknown>): ImageRequest {
  return {
    ...session(ctx, opts),
    ...sideOptions(opts, ''),
    ...(typeof opts['platform'] === 'string' ? { platform: opts['platform'] } : {}),
  };
}
