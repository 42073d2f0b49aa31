import { Command } from 'commander';
import { writeJson, type CommandContext } from './context.js';
import { addImageFlags, imageRequest } from './image-flags.js';

export function layersCommand(ctx: CommandContext): Command {
  const cmd = new Command('layers').description(
    'one row per layer: digest, sizes, file count, bytes added and wasted (overwritten or deleted later), the history line; streams each layer once, nothing written to disk',
  );
  addImageFlags(cmd, ['table', 'json']);
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    const { inspectLayers } = await import('../../layers/layers.js');
    const report = await inspectLayers(location, imageRequest(ctx, opts));
    if (opts['format'] === 'json') return writeJson(ctx, report);
    const { renderLayers } = await import('../render/layers-table.js');
    ctx.stdout.write(`${renderLayers(report)}\n`);
  });
}
