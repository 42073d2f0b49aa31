import { Command } from 'commander';
import type { CommandContext } from './context.js';
import { addImageFlags, imageRequest } from './image-flags.js';

export function catCommand(ctx: CommandContext): Command {
  const cmd = new Command('cat').description(
    'write one file of the image filesystem to standard output, byte-exact; reads layers newest first and stops at the one that has it',
  );
  addImageFlags(cmd);
  cmd.argument('<path>', 'absolute path in the image, e.g. /etc/os-release');
  return cmd.action(async (location: string, path: string, opts: Record<string, unknown>) => {
    const { catFile } = await import('../../layers/cat-file.js');
    await catFile(location, path, ctx.stdout, imageRequest(ctx, opts));
  });
}
