import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  readonly code = 'ERR_TEST_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    const status = signal ? `signal ${signal}` : `exit code ${exitCode}`;
    super(`${command} ${args.join(' ')} failed with ${status}:\n${stderr.trim() || stdout.trim()}`);
    this.name = 'CommandError';
  }
}

/**
 * Runs a program asynchronously. Asynchronous on purpose: the token server
 * lives in the test process, so a synchronous spawn of skopeo would block the
 * very server skopeo is waiting for.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (exitCode === 0) resolve({ stdout, stderr });
      else reject(new CommandError(command, args, exitCode, signal, stdout, stderr));
    });
    child.stdin.on('error', () => {
      // The program may exit without reading its input; its exit status tells the story.
    });
    child.stdin.end(options.input);
  });
}
