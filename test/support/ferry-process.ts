// Runs `bin/ferry` as a child the test can watch and signal while it works (for
// interrupting a copy midway), with the same hermetic environment as runFerry.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { FERRY_BIN, hermeticEnv, type FerryRun } from './ferry-cli.js';

export interface FerryProcess {
  child: ChildProcessWithoutNullStreams;
  /** Complete stdout lines so far. */
  stdoutLines: string[];
  /** Resolves with the first stdout line (past or future) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited and its streams closed. */
  exited: Promise<FerryRun>;
}

export function startFerry(args: readonly string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): FerryProcess {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], { env: hermeticEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdoutLines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    const parts = (pending + chunk.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      stdoutLines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const exited = new Promise<FerryRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr,
        stderrLines: stderr.split('\n').filter((l) => l.trim() !== ''), args,
      });
    });
  });
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 60_000): Promise<string> => {
    const seen = stdoutLines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching line from ferry ${args.join(' ')} within ${timeoutMs} ms; stdout so far:\n${stdoutLines.join('\n')}\nstderr:\n${Buffer.concat(err).toString('utf8')}`)), timeoutMs);
      waiters.push({ match, resolve: (line) => (clearTimeout(t), resolve(line)) });
      void exited.then((run) => {
        clearTimeout(t);
        reject(new Error(`ferry exited (${run.code ?? run.signal}) before a matching line:\n${run.stdout}\n${run.stderr}`));
      });
    });
  };
  return { child, stdoutLines, waitForLine, exited };
}
