import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { CredentialStoreOptions, Env } from '../../../src/credentials/options.js';

/**
 * A fake home for one test: its own HOME, XDG dirs and PATH, so nothing reads or
 * writes the real user's files. `bin` holds docker-credential-ferrytest, a working
 * credential helper that keeps its secrets in `store.json` and logs every call.
 */
export interface Sandbox {
  root: string;
  home: string;
  runtime: string;
  bin: string;
  storePath: string;
  logPath: string;
  /** HOME + PATH (with bin first) + helper plumbing; add XDG_RUNTIME_DIR etc. per test. */
  env(extra?: Record<string, string | undefined>): Env;
  /** Options for the credential store in this sandbox: env(extra env), its home, then `extra`. */
  storeOptions(env?: Record<string, string>, extra?: CredentialStoreOptions): CredentialStoreOptions;
  writeJson(path: string, value: unknown): Promise<void>;
  readJson(path: string): Promise<any>;
  mode(path: string): Promise<number>;
  /** The helper calls made so far, in order. */
  helperCalls(): Promise<{ action: string; input: string }[]>;
  cleanup(): Promise<void>;
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const HELPER_SOURCE = String.raw`
const fs = require('node:fs');
const action = process.argv[2];
const store = process.env.FERRYTEST_STORE;
const mode = process.env.FERRYTEST_MODE || '';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  fs.appendFileSync(process.env.FERRYTEST_LOG, JSON.stringify({ action, input }) + '\n');
  if (mode === 'fail') { process.stderr.write('keychain is locked; input was ' + input + '\nsecond line\n'); process.exit(3); }
  if (mode === 'hang') { setTimeout(() => {}, 120000); return; }
  if (mode === 'garbage') { process.stdout.write('s3cr3t-garbage'); return; }
  const data = fs.existsSync(store) ? JSON.parse(fs.readFileSync(store, 'utf8')) : {};
  const notFound = () => { process.stdout.write('credentials not found in native keychain\n'); process.exit(1); };
  if (action === 'get') {
    const e = data[input];
    if (!e) return notFound();
    process.stdout.write(JSON.stringify({ ServerURL: input, Username: e.Username, Secret: e.Secret }));
  } else if (action === 'store') {
    const c = JSON.parse(input);
    data[c.ServerURL] = { Username: c.Username, Secret: c.Secret };
    fs.writeFileSync(store, JSON.stringify(data));
  } else if (action === 'erase') {
    if (!data[input]) return notFound();
    delete data[input];
    fs.writeFileSync(store, JSON.stringify(data));
  } else {
    process.stdout.write('unknown action');
    process.exit(1);
  }
});
`;

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-creds-'));
  const home = join(root, 'home');
  const runtime = join(root, 'run');
  const bin = join(root, 'bin');
  await Promise.all([mkdir(home), mkdir(runtime), mkdir(bin)]);
  const helper = join(bin, 'docker-credential-ferrytest');
  await writeFile(helper, `#!${process.execPath}\n${HELPER_SOURCE}`);
  await chmod(helper, 0o755);
  const storePath = join(root, 'store.json');
  const logPath = join(root, 'helper.log');
  await writeFile(logPath, '');
  const sandbox: Sandbox = {
    root,
    home,
    runtime,
    bin,
    storePath,
    logPath,
    env: (extra = {}) => ({
      HOME: home,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      FERRYTEST_STORE: storePath,
      FERRYTEST_LOG: logPath,
      ...extra,
    }),
    storeOptions: (env = {}, extra = {}) => ({ env: sandbox.env(env), homedir: home, ...extra }),
    async writeJson(path, value) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    },
    async readJson(path) {
      return JSON.parse(await readFile(path, 'utf8'));
    },
    async mode(path) {
      return (await stat(path)).mode & 0o777;
    },
    async helperCalls() {
      const text = await readFile(logPath, 'utf8');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { action: string; input: string });
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return sandbox;
}
