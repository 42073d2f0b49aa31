import { CommanderError } from 'commander';
import { FerryError, RegistryError } from '../../errors.js';
import { cliHint } from '../render/error-hint.js';

/** How a failure is written to stderr: one text line, or one JSON object (`--error-format json`). */
export type ErrorFormat = 'text' | 'json';

/** The JSON object `--error-format json` writes: stable fields only, no stack, no secrets. */
export interface ErrorRecord {
  code: string;
  message: string;
  exitStatus: number;
  hint?: string;
  httpStatus?: number;
  registryCode?: string;
  location?: string;
}

/** Code for errors ferry did not throw on purpose (a bug or an unexpected system error). */
const UNEXPECTED = 'ERR_UNEXPECTED';

export function errorRecord(e: unknown): ErrorRecord {
  if (e instanceof FerryError) {
    return {
      code: e.code,
      message: e.message,
      exitStatus: e.exitCode,
      // library hints name options; the CLI says its flags
      ...(e.hint ? { hint: cliHint(e.hint) } : {}),
      ...(e.status !== undefined ? { httpStatus: e.status } : {}),
      ...(e.registryCode ? { registryCode: e.registryCode } : {}),
      ...(e instanceof RegistryError ? { location: e.location } : {}),
    };
  }
  const err = e as Error | undefined;
  return { code: UNEXPECTED, message: `unexpected error: ${err?.message ?? String(e)}`, exitStatus: 1 };
}

/**
 * The one stderr line for a failure: `ferry: [CODE] message`. The code in brackets is
 * the stable reason scripts may match on; the exit status only says 2 (not there) or 1.
 */
export function formatError(record: ErrorRecord, format: ErrorFormat): string {
  if (format === 'json') return `${JSON.stringify({ error: record })}\n`;
  // the hint follows on the same line, so an error stays one line for scripts
  return `ferry: [${record.code}] ${record.message}${record.hint ? `; ${record.hint}` : ''}\n`;
}

/**
 * Commander's own messages (unknown option, missing argument, …) in ferry's shape.
 * They are usage errors: exit 1, as skopeo.
 */
export function commanderMessage(text: string, format: ErrorFormat): string {
  const message = text.trim().replace(/^error: /, '');
  return formatError({ code: 'ERR_USAGE', message, exitStatus: 1 }, format);
}

/** Error → one line (or JSON object) and an exit status; a stack only with --debug. */
export function reportError(e: unknown, opts: { debug: boolean; format: ErrorFormat; stderr: NodeJS.WritableStream }): number {
  // commander has printed its message already (commanderMessage); --help and --version are 0
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
  const record = errorRecord(e);
  let line = formatError(record, opts.format);
  if (record.code === UNEXPECTED && !opts.debug && opts.format === 'text') line = line.replace(/\n$/, ' (run with --debug for details)\n');
  opts.stderr.write(line);
  const stack = (e as Error | undefined)?.stack;
  if (opts.debug && stack) opts.stderr.write(`${stack}\n`);
  return record.exitStatus;
}

/** `--error-format` is read before commander parses, so that commander's own errors follow it too. */
export function errorFormatFrom(argv: readonly string[]): ErrorFormat {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--error-format=json' || (a === '--error-format' && argv[i + 1] === 'json')) return 'json';
  }
  return 'text';
}
