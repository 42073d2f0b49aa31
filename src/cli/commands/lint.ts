import { Command, Option } from 'commander';
import { writeJson, type CommandContext } from './context.js';
import { addImageFlags, imageRequest } from './image-flags.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function lintCommand(ctx: CommandContext, version: string): Command {
  const cmd = new Command('lint').description(
    'best-practice findings from the config, the history and the layer contents (root user, shell entrypoint, caches, secrets, waste...); see docs/lint.md',
  );
  addImageFlags(cmd, ['text', 'json', 'sarif']);
  cmd
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices(['info', 'warning', 'error']))
    .option('--ignore <id>', 'silence a finding id (repeatable)', collect, [])
    .option('--config <file>', 'YAML file: `ignore:` list of ids, `thresholds:` mapping')
    .option('--all-platforms', 'lint every image of an index');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    const { lint } = await import('../../lint/lint.js');
    const { assertBelow } = await import('../../lint/lint-failed.js');
    const report = await lint(location, {
      ...imageRequest(ctx, opts),
      ignore: opts['ignore'] as string[],
      ...(typeof opts['config'] === 'string' ? { configFile: opts['config'] } : {}),
      ...(opts['allPlatforms'] ? { allPlatforms: true } : {}),
    });
    if (opts['format'] === 'json') writeJson(ctx, report);
    else if (opts['format'] === 'sarif') {
      const { toSarif } = await import('../../lint/sarif.js');
      writeJson(ctx, toSarif(report, version));
    } else {
      const { renderLint } = await import('../render/lint-text.js');
      ctx.stdout.write(`${renderLint(report)}\n`);
    }
    if (typeof opts['failOn'] === 'string') assertBelow(report.findings, opts['failOn'] as 'info' | 'warning' | 'error');
  });
}
