import type { Rule } from '../finding.js';

/** Inits that run the app as their child, reap zombies and forward signals. */
const INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit', 'docker-init', 'init', 's6-svscan', 'runsvdir', 'supervisord', 'pid1']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'cmd', 'cmd.exe', 'powershell', 'pwsh']);

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** What a Dockerfile's shell form produces: `["/bin/sh", "-c", "…"]` (or `cmd /S /C` on Windows). */
function isShellForm(argv: string[]): boolean {
  if (argv.length < 3) return false;
  return SHELLS.has(base(argv[0]!)) && /^(-c|-lc|\/S|\/C)$/i.test(argv[1]!);
}

export const shellEntrypoint: Rule = {
  id: 'shell-entrypoint',
  severity: 'warning',
  summary: 'ENTRYPOINT or CMD uses the shell form, so a shell is PID 1: the app does not receive SIGTERM on `docker stop` and zombies are not reaped.',
  fix: 'Use the exec form, e.g. `ENTRYPOINT ["/usr/local/bin/app"]` and `CMD ["--port", "8080"]`, or put an init first: `ENTRYPOINT ["tini", "--", "/usr/local/bin/app"]` (or dumb-init). In a wrapper script end with `exec "$@"`.',
  check(ctx) {
    const entrypoint = strings(ctx.runConfig['Entrypoint']);
    const cmd = strings(ctx.runConfig['Cmd']);
    if (entrypoint.length > 0 && INITS.has(base(entrypoint[0]!))) return [];
    if (isShellForm(entrypoint)) {
      return [{ message: `ENTRYPOINT is in shell form (${entrypoint.slice(0, 2).join(' ')} …): the shell, not the app, is PID 1`, location: { configKey: 'config.Entrypoint' } }];
    }
    if (entrypoint.length === 0 && isShellForm(cmd)) {
      return [{ message: `CMD is in shell form (${cmd.slice(0, 2).join(' ')} …): the shell, not the app, is PID 1`, location: { configKey: 'config.Cmd' } }];
    }
    return [];
  },
};
