import { statSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { acceptNoOp, refuseFlag } from './commands/compat-flags.js';
import type { CommandContext, PlatformOverride } from './commands/context.js';
import { durationFlag } from './commands/number-flags.js';
import { checkPolicyFile } from './policy-file.js';

const NO_SIGNATURES = 'ferry neither verifies nor writes signatures';

/** skopeo's global flags (skopeo.1.md): supported, accepted as no-ops, or refused with a reason. */
export function addGlobalFlags(program: Command): Command {
  program
    .option('--debug', 'log HTTP requests (secrets redacted) and show stack traces')
    .addOption(new Option('--error-format <format>', 'how a failure is written to stderr: a text line, or one JSON object').choices(['text', 'json']).default('text'))
    .addOption(new Option('--command-timeout <duration>', 'give up after this long, e.g. 90s or 5m (exit 1, ERR_TIMEOUT)').argParser(durationFlag('--command-timeout')))
    .option('--override-arch <arch>', 'use this architecture instead of the machine\'s when picking an image from an index')
    .option('--override-os <os>', 'use this OS instead of the machine\'s when picking an image from an index')
    .option('--override-variant <variant>', 'use this variant instead of the machine\'s when picking an image from an index')
    .option('--tmpdir <dir>', 'folder for temporary files (sets TMPDIR for this run)')
    .option('--user-agent-prefix <prefix>', 'put this before ferry\'s User-Agent');
  acceptNoOp(program, '--insecure-policy', 'ferry has no signature policy; nothing is verified either way');
  program.option('--policy <path>', 'trust policy file: accepted when it requires nothing (insecureAcceptAnything only), refused otherwise');
  refuseFlag(program, '--require-signed', NO_SIGNATURES);
  acceptNoOp(program, '--registries.d <dir>', `it only locates signature storage, and ${NO_SIGNATURES}`);
  refuseFlag(program, '--registries-conf <path>', 'ferry does not read registries.conf (no mirrors, short names or blocked registries); use full docker:// references and per-command TLS flags');
  refuseFlag(program, '--tls-details <path>', 'ferry uses Node\'s TLS defaults (TLS 1.2 or later)');
  return program;
}

function platformOverride(opts: Record<string, unknown>): PlatformOverride | undefined {
  const p: PlatformOverride = {};
  if (typeof opts['overrideOs'] === 'string') p.os = opts['overrideOs'];
  if (typeof opts['overrideArch'] === 'string') p.architecture = opts['overrideArch'];
  if (typeof opts['overrideVariant'] === 'string') p.variant = opts['overrideVariant'];
  return Object.keys(p).length ? p : undefined;
}

/** What the global flags change before a command runs; returns the timeout signal, if any. */
export function applyGlobalFlags(opts: Record<string, unknown>, ctx: CommandContext, version: string): AbortSignal | undefined {
  if (typeof opts['policy'] === 'string') checkPolicyFile(opts['policy']);
  const tmp = opts['tmpdir'];
  if (typeof tmp === 'string') {
    if (!statSync(tmp, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--tmpdir: "${tmp}" is not a directory`);
    // os.tmpdir() reads TMPDIR on every call, so every temporary file of this run goes there
    process.env['TMPDIR'] = tmp;
  }
  const prefix = opts['userAgentPrefix'];
  if (typeof prefix === 'string' && prefix !== '') ctx.userAgent = `${prefix} ferry/${version}`;
  const platform = platformOverride(opts);
  if (platform) ctx.platform = platform;
  const timeoutMs = opts['commandTimeout'];
  if (typeof timeoutMs !== 'number' || timeoutMs === 0) return undefined;
  const timeout = AbortSignal.timeout(timeoutMs);
  ctx.signal = AbortSignal.any([ctx.signal, timeout]);
  setMaxListeners(0, ctx.signal);
  return timeout;
}
