// The external programs the integration harness drives. They come from Debian
// packages (scripts/install-test-deps.sh), never from npm, so a fresh machine
// must install them before the suite can mean anything.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface TestTool {
  /** Name of the executable as looked up on PATH. */
  command: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

export const TEST_TOOLS: readonly TestTool[] = [
  { command: 'docker-registry', debianPackage: 'docker-registry' },
  { command: 'skopeo', debianPackage: 'skopeo' },
  { command: 'umoci', debianPackage: 'umoci' },
  { command: 'pigz', debianPackage: 'pigz' },
  { command: 'zstd', debianPackage: 'zstd' },
  { command: 'xz', debianPackage: 'xz-utils' },
  { command: 'bzip2', debianPackage: 'bzip2' },
  { command: 'htpasswd', debianPackage: 'apache2-utils' },
  { command: 'openssl', debianPackage: 'openssl' },
];

/** Registry binary; overridable so a developer can try another distribution build. */
export function registryBinary(): string {
  return process.env.FERRY_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';
}

export function skopeoBinary(): string {
  return process.env.FERRY_TEST_SKOPEO_BIN ?? findOnPath('skopeo') ?? 'skopeo';
}

export function findOnPath(command: string): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Tools that are absent, with the registry checked at the exact path the harness runs. */
export function missingTools(): TestTool[] {
  return TEST_TOOLS.filter((tool) => {
    if (tool.command === 'docker-registry') return !isExecutable(registryBinary());
    if (tool.command === 'skopeo') return findOnPath(skopeoBinary()) === undefined;
    return findOnPath(tool.command) === undefined;
  });
}

export class MissingToolError extends Error {
  readonly code = 'ERR_TEST_TOOL_MISSING';
  constructor(readonly tools: TestTool[]) {
    super(
      `integration test tools missing: ${tools.map((t) => `${t.command} (apt package ${t.debianPackage})`).join(', ')}; ` +
        'run scripts/install-test-deps.sh',
    );
    this.name = 'MissingToolError';
  }
}

/** Throws instead of skipping: a harness that silently skips proves nothing. */
export function assertToolsPresent(commands: readonly string[]): void {
  const missing = missingTools().filter((t) => commands.includes(t.command));
  if (missing.length > 0) throw new MissingToolError(missing);
}
