// Runs skopeo 1.9 against harness registries, with the flags each mode needs,
// in a hermetic setup: its own permissive policy.json (a fresh machine may
// have no /etc/containers/policy.json), an empty registries.conf and an
// auth file of its own, so nothing on the machine changes what it does.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningRegistry } from './registry.js';
import { CommandError, runCommand } from './run-command.js';
import { scratchDirSync } from './scratch.js';
import { assertToolsPresent, skopeoBinary } from './tools.js';

export { CommandError as SkopeoError } from './run-command.js';

export interface SkopeoCredentials {
  username: string;
  password: string;
}

/** A registry and who talks to it: its test user by default, `creds: null` for anonymous. */
export interface SkopeoAccess {
  registry: RunningRegistry;
  creds?: SkopeoCredentials | null;
}

export type RegistryTarget = RunningRegistry | SkopeoAccess;

interface SkopeoHome {
  dir: string;
  policy: string;
  env: NodeJS.ProcessEnv;
}

let home: SkopeoHome | undefined;

function skopeoHome(): SkopeoHome {
  if (home) return home;
  const dir = scratchDirSync('skopeo');
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  writeFileSync(join(dir, 'registries.conf'), '');
  mkdirSync(join(dir, 'registries.d'));
  const env = {
    ...process.env,
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    // Some skopeo paths fall back to the docker CLI's config; point them at nothing.
    DOCKER_CONFIG: join(dir, 'docker'),
  };
  home = { dir, policy, env };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return home;
}

/** Runs `skopeo <args>` and returns stdout; a non-zero exit throws a SkopeoError carrying stderr. */
export async function skopeo(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  assertToolsPresent(['skopeo']);
  const { policy, dir, env } = skopeoHome();
  const globals = ['--policy', policy, '--registries.d', join(dir, 'registries.d')];
  const { stdout } = await runCommand(skopeoBinary(), [...globals, ...args], { env, timeoutMs: options.timeoutMs ?? 120_000 });
  return stdout;
}

function access(target: RegistryTarget): SkopeoAccess {
  return 'registry' in target ? target : { registry: target };
}

/**
 * Transport flags for one side of a command: `side` is `src`, `dest`, or `''`
 * for single-image commands (inspect, delete, list-tags).
 */
export function skopeoRegistryFlags(target: RegistryTarget, side: 'src' | 'dest' | ''): string[] {
  const { registry, creds } = access(target);
  const flag = (name: string): string => (side ? `--${side}-${name}` : `--${name}`);
  const flags: string[] = [];
  if (registry.tls && registry.certDir) flags.push(flag('cert-dir'), registry.certDir, `${flag('tls-verify')}=true`);
  else flags.push(`${flag('tls-verify')}=false`);
  const chosen = creds === undefined && registry.username !== undefined
    ? { username: registry.username, password: registry.password ?? '' }
    : creds;
  if (chosen) flags.push(flag('creds'), `${chosen.username}:${chosen.password}`);
  else flags.push(flag('no-creds'));
  return flags;
}

/** `docker://127.0.0.1:PORT/repo:tag` */
export function dockerRef(registry: RunningRegistry, repoRef: string): string {
  return `docker://${registry.ref(repoRef)}`;
}

export interface SkopeoCopyOptions {
  src?: RegistryTarget;
  dest?: RegistryTarget;
  all?: boolean;
  preserveDigests?: boolean;
  /** Destination manifest format (`oci`, `v2s2`); default: keep the source's. */
  format?: 'oci' | 'v2s2';
  extraArgs?: string[];
}

export async function skopeoCopy(source: string, destination: string, options: SkopeoCopyOptions = {}): Promise<string> {
  const args = ['copy', '--quiet'];
  if (options.all) args.push('--all');
  if (options.preserveDigests) args.push('--preserve-digests');
  if (options.format) args.push('--format', options.format);
  if (options.src) args.push(...skopeoRegistryFlags(options.src, 'src'));
  if (options.dest) args.push(...skopeoRegistryFlags(options.dest, 'dest'));
  return skopeo([...args, ...(options.extraArgs ?? []), source, destination]);
}

/**
 * `skopeo inspect` parsed. Without `raw` skopeo needs an image config it
 * understands, so it fails on Helm charts and other artifacts; use `raw` there.
 */
export async function skopeoInspect(target: RegistryTarget, repoRef: string, options: { config?: boolean } = {}): Promise<Record<string, unknown>> {
  const args = ['inspect', ...skopeoRegistryFlags(target, '')];
  if (options.config) args.push('--config');
  return JSON.parse(await skopeo([...args, dockerRef(access(target).registry, repoRef)])) as Record<string, unknown>;
}

/** The manifest bytes as the registry serves them (`skopeo inspect --raw`). */
export async function skopeoInspectRaw(target: RegistryTarget, repoRef: string): Promise<string> {
  return skopeo(['inspect', '--raw', ...skopeoRegistryFlags(target, ''), dockerRef(access(target).registry, repoRef)]);
}

export async function skopeoListTags(target: RegistryTarget, repo: string): Promise<string[]> {
  const out = await skopeo(['list-tags', ...skopeoRegistryFlags(target, ''), dockerRef(access(target).registry, repo)]);
  return (JSON.parse(out) as { Tags: string[] }).Tags;
}

export async function skopeoDelete(target: RegistryTarget, repoRef: string): Promise<void> {
  await skopeo(['delete', ...skopeoRegistryFlags(target, ''), dockerRef(access(target).registry, repoRef)]);
}

export function isSkopeoError(error: unknown): error is CommandError {
  return error instanceof CommandError;
}
