// Runs the built CLI (`bin/ferry`, which loads dist/) as a child process, the
// way a user or a script does, in a hermetic environment: its own HOME, no
// REGISTRY_AUTH_FILE, DOCKER_CONFIG or XDG_RUNTIME_DIR from the machine, so
// only the credentials a test hands it are ever found.
// Asynchronous on purpose: the token server lives in the test process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDirSync } from './scratch.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The CLI to run: `bin/ferry` of this checkout (which loads dist/), or another
 * build named by FERRY_TEST_BIN, e.g. a private copy while dist/ is being rebuilt.
 */
export const FERRY_BIN = process.env.FERRY_TEST_BIN ?? join(REPO_ROOT, 'bin', 'ferry');

export interface FerryRun {
  /** Exit status; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  /** Non-empty stderr lines. */
  stderrLines: string[];
  args: readonly string[];
}

export interface FerryRunOptions {
  /** Written to stdin, then closed. */
  input?: string;
  /** Added to (or, with `undefined`, removed from) the hermetic environment. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

let home: string | undefined;

/** A HOME with nothing in it, shared by every run in this worker. */
export function ferryHome(): string {
  if (home) return home;
  home = scratchDirSync('ferry-home');
  mkdirSync(join(home, '.docker'));
  process.once('exit', () => rmSync(home ?? '', { recursive: true, force: true }));
  return home;
}

/** The environment every run starts from: the machine's PATH, nothing that points at credentials. */
export function hermeticEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_COLOR']) {
    delete env[key];
  }
  env.HOME = ferryHome();
  env.DOCKER_CONFIG = join(ferryHome(), '.docker');
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function assertBuilt(): void {
  if (process.env.FERRY_TEST_BIN) {
    if (!existsSync(FERRY_BIN)) throw new Error(`FERRY_TEST_BIN=${FERRY_BIN} does not exist`);
    return;
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: run `npm run build` before the e2e and integration tests');
  }
}

/** `ferry <args>`; never throws for a non-zero exit (tests look at `code`). */
export function runFerry(args: readonly string[], options: FerryRunOptions = {}): Promise<FerryRun> {
  assertBuilt();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args], {
      env: hermeticEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      resolvePromise({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr,
        stderrLines: stderr.split('\n').filter((line) => line.trim() !== ''),
        args,
      });
    });
    child.stdin.on('error', () => {
      // ferry may exit without reading stdin.
    });
    child.stdin.end(options.input);
  });
}

/** `ferry <args>` that must succeed; the error names the command and its stderr. */
export async function ferryOk(args: readonly string[], options: FerryRunOptions = {}): Promise<FerryRun> {
  const run = await runFerry(args, options);
  if (run.code !== 0) throw new Error(`ferry ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.stderr}`);
  return run;
}

/** `ferry inspect … ` parsed as JSON. */
export async function ferryJson<T = Record<string, unknown>>(args: readonly string[], options: FerryRunOptions = {}): Promise<T> {
  const run = await ferryOk(args, options);
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`ferry ${args.join(' ')} printed something that is not JSON:\n${run.stdout}`);
  }
}

/** Short description of a run for assertion messages. */
export function describeRun(run: FerryRun): string {
  return `ferry ${run.args.join(' ')} → ${run.code ?? run.signal}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 4000)}`;
}

/**
 * The CLI's error contract: non-zero exit, exactly one stderr line starting
 * with `ferry: `, no stack frames. Returns that line.
 */
export function oneLineError(run: FerryRun): string {
  const context = describeRun(run);
  if (run.code === 0 || run.code === null) throw new Error(`expected a non-zero exit\n${context}`);
  if (run.stderrLines.length !== 1) throw new Error(`expected exactly one stderr line, got ${run.stderrLines.length}\n${context}`);
  const line = run.stderrLines[0] ?? '';
  if (!line.startsWith('ferry: ')) throw new Error(`expected the line to start with "ferry: "\n${context}`);
  if (/^\s+at /m.test(run.stderr)) throw new Error(`stack frame in stderr\n${context}`);
  return line;
}

/**
 * Flags ferry needs for a harness registry: its CA for a TLS one. A plain-HTTP
 * registry on loopback needs none (ferry, like docker, lets 127.0.0.0/8 speak HTTP).
 */
export function ferryRegistryFlags(registry: { tls: boolean; certDir?: string }): string[] {
  return registry.tls && registry.certDir ? ['--cert-dir', registry.certDir] : [];
}
