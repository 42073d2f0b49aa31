import { Command } from 'commander';
import { UsageError } from '../../errors.js';
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

export function loginCommand(ctx: CommandContext): Command {
  return new Command('login')
    .description('check credentials against a registry and save them (auth.json or a credential helper)')
    .argument('<registry>', 'registry host[:port], optionally /namespace')
    .option('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin: arguments are visible to other users)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--authfile <path>', 'auth file to write')
    .option('--tls-verify [bool]', 'verify TLS; false also allows plain HTTP', parseBool('--tls-verify'))
    .option('--cert-dir <dir>', 'certs.d-style folder')
    .action(async (registry: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { login } = await import('../../login/login.js');
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
        ...(typeof opts['authfile'] === 'string' ? { authFile: opts['authfile'] } : {}),
        ...(opts['tlsVerify'] === false ? { tlsVerify: false } : {}),
        ...(typeof opts['certDir'] === 'string' ? { certDir: opts['certDir'] } : {}),
      });
      ctx.stdout.write(`Login Succeeded! (saved in ${where.kind === 'file' ? where.path : where.helper})\n`);
    });
}

export function logoutCommand(ctx: CommandContext): Command {
  return new Command('logout')
    .description('remove saved credentials for a registry, or all of them')
    .argument('[registry]', 'registry host[:port]')
    .option('-a, --all', 'remove every saved credential')
    .option('--authfile <path>', 'auth file to change')
    .action(async (registry: string | undefined, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { logout, logoutAll } = await import('../../login/login.js');
      const req = { ...(ctx.log ? { log: ctx.log } : {}), ...(typeof opts['authfile'] === 'string' ? { authFile: opts['authfile'] } : {}) };
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
