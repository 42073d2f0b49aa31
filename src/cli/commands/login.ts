import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { acceptNoOp } from './compat-flags.js';
import { parseBool } from './flags.js';
import type { CommandContext } from './context.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // a trailing newline from `echo pass |` is not part of the password
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function registryOf(arg: string): string {
  // accept "docker://host" and "https://host/" as people paste them
  return arg.replace(/^(docker|https?):\/\//, '').replace(/\/+$/, '');
}

/** --authfile, or --compat-auth-file (a docker config.json: ferry writes the same "auths" layout to either). */
function authFileOf(opts: Record<string, unknown>): { authFile?: string } {
  const file = opts['authfile'];
  const compat = opts['compatAuthFile'];
  if (typeof file === 'string' && typeof compat === 'string') throw new UsageError('--authfile and --compat-auth-file cannot be used together');
  const path = typeof file === 'string' ? file : compat;
  return typeof path === 'string' ? { authFile: path } : {};
}

export function loginCommand(ctx: CommandContext): Command {
  const cmd = new Command('login')
    .description('check credentials against a registry and save them (auth.json or a credential helper)')
    .argument('<registry>', 'registry host[:port], optionally /namespace')
    .option('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin: arguments are visible to other users)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--authfile <path>', 'auth file to write')
    .option('--compat-auth-file <path>', 'write this docker config.json instead of the default auth file')
    .option('--get-login', 'print the user name saved for the registry and stop')
    .option('--tls-verify [bool]', 'verify TLS; false also allows plain HTTP', parseBool('--tls-verify'))
    .option('--cert-dir <dir>', 'certs.d-style folder');
  acceptNoOp(cmd, '-v, --verbose', 'ferry prints where the credentials were saved in every case');
  return cmd.action(async (registry: string, opts: Record<string, unknown>) => {
      // loaded on use: start-up pays only for the command that runs
      const { login, loggedInUser } = await import('../../login/login.js');
      if (opts['getLogin']) {
        ctx.stdout.write(`${await loggedInUser(registryOf(registry), { ...(ctx.log ? { log: ctx.log } : {}), ...authFileOf(opts) })}\n`);
        return;
      }
      const username = opts['username'];
      if (typeof username !== 'string' || username === '') throw new UsageError('login needs --username');
      let password = typeof opts['password'] === 'string' ? opts['password'] : undefined;
      if (opts['passwordStdin']) {
        if (password !== undefined) throw new UsageError('--password and --password-stdin cannot be used together');
        password = await readStdin();
      }
      if (password === undefined || password === '') throw new UsageError('login needs a password: --password-stdin (or --password)');
      const host = registryOf(registry);
      const where = await login(host, {
        credential: { username, password },
        signal: ctx.signal,
        ...(ctx.log ? { log: ctx.log } : {}),
        ...authFileOf(opts),
        ...(opts['tlsVerify'] === false ? { tlsVerify: false } : {}),
        ...(typeof opts['certDir'] === 'string' ? { certDir: opts['certDir'] } : {}),
      });
      ctx.stdout.write(`Login Succeeded! (saved in ${where.kind === 'file' ? where.path : where.helper})\n`);
    });
}

export function logoutCommand(ctx: CommandContext): Command {
  const cmd = new Command('logout')
    .description('remove saved credentials for a registry, or all of them')
    .argument('[registry]', 'registry host[:port]')
    .option('-a, --all', 'remove every saved credential')
    .option('--authfile <path>', 'auth file to change')
    .option('--compat-auth-file <path>', 'change this docker config.json instead of the default auth file');
  acceptNoOp(cmd, '--tls-verify [bool]', 'logout does not contact the registry');
  return cmd.action(async (registry: string | undefined, opts: Record<string, unknown>) => {
      // loaded on use: start-up pays only for the command that runs
      const { logout, logoutAll } = await import('../../login/login.js');
      const req = { ...(ctx.log ? { log: ctx.log } : {}), ...authFileOf(opts) };
      if (opts['all']) {
        if (registry) throw new UsageError('logout takes a registry or --all, not both');
        await logoutAll(req);
        ctx.stdout.write('Removed login credentials for all registries\n');
        return;
      }
      if (!registry) throw new UsageError('logout needs a registry, or --all');
      await logout(registryOf(registry), req);
      ctx.stdout.write(`Removed login credentials for ${registryOf(registry)}\n`);
    });
}
