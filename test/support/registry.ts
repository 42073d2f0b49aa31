// Launches a real CNCF distribution registry (Debian's docker-registry 2.8)
// on loopback for one test file, in one of three auth modes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCollector, parseAccessLogLine, type AccessLogEntry } from './access-log.js';
import { freePort } from './free-port.js';
import { probe } from './http-probe.js';
import { registryConfig, type RegistryMode } from './registry-config.js';
import { runCommand } from './run-command.js';
import { scratchDir } from './scratch.js';
import { makeServerCertificates, type ServerCertificates } from './tls-certs.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.js';
import { assertToolsPresent, registryBinary } from './tools.js';

export type { RegistryMode } from './registry-config.js';
export type { AccessLogEntry } from './access-log.js';

export interface StartRegistryOptions {
  mode?: RegistryMode;
  /** When false the registry answers deletes with 405 UNSUPPORTED. Default true. */
  deleteEnabled?: boolean;
  /**
   * distribution's in-memory blob descriptor cache. Off, a blob whose file was removed
   * from storage answers 404 BLOB_UNKNOWN; on (the default), it answers 200 and then
   * closes the connection.
   */
  blobDescriptorCache?: boolean;
  /** The test user for `htpasswd-tls` and `token`. Defaults: `ferry` / `ferry-test-password`. */
  username?: string;
  password?: string;
  /** Serve HTTPS. Default: true for `htpasswd-tls`, false otherwise (the token server follows the registry). */
  tls?: boolean;
  /** Token mode only: extra users, grant rules, anonymous pull, token lifetime, key identification. */
  token?: Omit<TokenServerOptions, 'dir' | 'tls'>;
}

/** A position in the access log; requests after it are returned by `accessLog(mark)`. */
export interface LogMark {
  readonly position: number;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  mode: RegistryMode;
  tls: boolean;
  /** PEM file of the CA that signed the server certificate (TLS only). */
  caCertPath?: string;
  /** Docker-style certs dir with `ca.crt` (TLS only), for `--cert-dir`. */
  certDir?: string;
  caPem?: string;
  username?: string;
  password?: string;
  tokenServer?: TokenServer;
  storageDir: string;
  /** `host/repoTag`, e.g. `ref('app:1')` → `127.0.0.1:PORT/app:1`. */
  ref(repoTag: string): string;
  /** Requests the registry logged since start, since `resetLog()`, or since `mark`. */
  accessLog(since?: LogMark): Promise<AccessLogEntry[]>;
  mark(): Promise<LogMark>;
  resetLog(): Promise<void>;
  /** The last lines of the registry's own (JSON) log, for failure messages. */
  appLogTail(lines?: number): string;
  stop(): Promise<void>;
}

const SYNC_PATH = '/ferry-harness-log-sync/';
const READY_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();

export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  assertToolsPresent(['docker-registry', 'openssl', ...(options.mode === 'htpasswd-tls' ? ['htpasswd'] : [])]);
  const mode = options.mode ?? 'plain';
  const tls = options.tls ?? mode === 'htpasswd-tls';
  const auth = mode === 'plain' ? {} : { username: options.username ?? 'ferry', password: options.password ?? 'ferry-test-password' };
  const dir = await scratchDir('registry');
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  const certs = tls ? await makeServerCertificates(join(dir, 'tls')) : undefined;
  const tlsFiles = certs && { certPath: certs.serverCertPath, keyPath: certs.serverKeyPath };
  let htpasswdPath: string | undefined;
  if (mode === 'htpasswd-tls') {
    htpasswdPath = join(dir, 'htpasswd');
    const { stdout } = await runCommand('htpasswd', ['-Bbn', auth.username ?? '', auth.password ?? '']);
    await writeFile(htpasswdPath, stdout);
  }
  let tokenServer: TokenServer | undefined;
  if (mode === 'token') {
    tokenServer = await startTokenServer({
      ...options.token,
      dir: join(dir, 'token'),
      users: { [auth.username ?? '']: auth.password ?? '', ...options.token?.users },
      tls: tlsFiles,
    });
  }
  const scheme = tls ? 'https' : 'http';
  try {
    const launched = await launch(dir, scheme, certs, (port) =>
      registryConfig({
        port, storageDir, deleteEnabled: options.deleteEnabled ?? true, blobDescriptorCache: options.blobDescriptorCache, tls: tlsFiles, htpasswdPath,
        token: tokenServer && {
          realm: tokenServer.realm, service: tokenServer.service, issuer: tokenServer.issuer, rootCertBundle: tokenServer.rootCertPath,
        },
      }),
    );
    return handle(launched, { dir, mode, tls, storageDir, certs, tokenServer, ...auth });
  } catch (error) {
    await tokenServer?.close();
    await removeDir(dir);
    throw error;
  }
}

interface Launched {
  child: ChildProcess;
  host: string;
  url: string;
  stdout: LineCollector;
  stderr: LineCollector;
}

/** Spawns the registry on a free port, retrying when another process took the port first. */
async function launch(dir: string, scheme: string, certs: ServerCertificates | undefined, config: (port: number) => string): Promise<Launched> {
  const configPath = join(dir, 'config.yml');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(configPath, config(port));
    const child = spawn(registryBinary(), ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.on('exit', () => running.delete(child));
    const stdout = new LineCollector();
    const stderr = new LineCollector();
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const host = `127.0.0.1:${port}`;
    const url = `${scheme}://${host}`;
    try {
      await waitUntilReady(child, url, certs?.caPem);
      return { child, host, url, stdout, stderr };
    } catch (error) {
      await terminate(child);
      const log = stderr.tail(20);
      if (attempt < 5 && log.includes('address already in use')) continue;
      throw new Error(`registry did not start: ${(error as Error).message}\n${log}`, { cause: error });
    }
  }
}

async function waitUntilReady(child: ChildProcess, url: string, ca: string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  child.once('error', (error) => (exited = error.message));
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const res = await probe(`${url}/v2/`, { ca, timeoutMs: 2_000 });
      if (res.headers['docker-distribution-api-version']) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url}/v2/ within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface HandleContext {
  dir: string;
  mode: RegistryMode;
  tls: boolean;
  storageDir: string;
  certs?: ServerCertificates;
  tokenServer?: TokenServer;
  username?: string;
  password?: string;
}

async function handle(launched: Launched, ctx: HandleContext): Promise<RunningRegistry> {
  const { child, stdout, url } = launched;
  // The registry writes an access line after the response has gone out, so a
  // client can see its answer before the line exists. A request of our own,
  // waited for in the log, flushes everything that was answered before it.
  const sync = async (): Promise<number> => {
    const nonce = randomBytes(8).toString('hex');
    await probe(`${url}${SYNC_PATH}${nonce}`, { ca: ctx.certs?.caPem });
    const deadline = Date.now() + 5_000;
    while (!stdout.lines.some((line) => line.includes(nonce))) {
      if (Date.now() > deadline) throw new Error('access log line never appeared; is log.accesslog enabled?');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return stdout.lines.length;
  };
  let baseline = await sync();
  let stopped = false;
  return {
    host: launched.host,
    url,
    mode: ctx.mode,
    tls: ctx.tls,
    caCertPath: ctx.certs?.caCertPath,
    certDir: ctx.certs?.certDir,
    caPem: ctx.certs?.caPem,
    username: ctx.username,
    password: ctx.password,
    tokenServer: ctx.tokenServer,
    storageDir: ctx.storageDir,
    ref: (repoTag) => `${launched.host}/${repoTag}`,
    accessLog: async (since) => {
      const end = await sync();
      return stdout.lines
        .slice(since?.position ?? baseline, end)
        .flatMap((line) => parseAccessLogLine(line) ?? [])
        .filter((entry) => !entry.path.startsWith(SYNC_PATH));
    },
    mark: async () => ({ position: await sync() }),
    resetLog: async () => void (baseline = await sync()),
    appLogTail: (lines = 40) => launched.stderr.tail(lines),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate(child);
      await ctx.tokenServer?.close();
      await removeDir(ctx.dir);
    },
  };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function removeDir(dir: string): Promise<void> {
  if (process.env.FERRY_TEST_KEEP_DIRS) return;
  await rm(dir, { recursive: true, force: true });
}

// A test file that forgets stop(), or a worker that crashes, must not leave registries behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
