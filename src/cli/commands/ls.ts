import { Command, InvalidArgumentError } from 'commander';
import { writeJson, type CommandContext } from './context.js';
import { addImageFlags, imageRequest } from './image-flags.js';

function layerNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a layer index (0 is the base layer)');
  return Number(value);
}

export function lsCommand(ctx: CommandContext): Command {
  const cmd = new Command('ls').description('list the image filesystem (whiteouts and opaque directories applied) with mode, owner, size and link target');
  addImageFlags(cmd, ['text', 'json']);
  cmd.argument('[path]', 'list only this path and what is below it').option('--layer <n>', "one layer's own entries in archive order, whiteouts included (0 is the base layer)", layerNumber);
  return cmd.action(async (location: string, path: string | undefined, opts: Record<string, unknown>) => {
    const { listFiles } = await import('../../layers/list-files.js');
    const listing = await listFiles(location, {
      ...imageRequest(ctx, opts),
      ...(path !== undefined ? { path } : {}),
      ...(typeof opts['layer'] === 'number' ? { layer: opts['layer'] } : {}),
    });
    if (opts['format'] === 'json') return writeJson(ctx, listing);
    const { renderListing } = await import('../render/file-listing.js');
    const text = renderListing(listing);
    if (text) ctx.stdout.write(`${text}\n`);
  });
}
