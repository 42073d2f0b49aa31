import { arch as hostArch } from 'node:os';
import type { Descriptor, Platform } from './descriptor.js';
import type { IndexManifest } from './manifest.js';
import { FerryError, UsageError } from '../errors.js';

/** Node's names → OCI/GOARCH names. */
const archMap: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/** The platform an image runs on here; like skopeo, a darwin/windows host still picks linux images. */
export function hostPlatform(): Platform {
  const architecture = archMap[hostArch()] ?? hostArch();
  const p: Platform = { os: 'linux', architecture };
  if (architecture === 'arm64') p.variant = 'v8';
  if (architecture === 'arm') p.variant = 'v7';
  return p;
}

/** Parses "os/arch[/variant]" (as `--platform` takes it). */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(`invalid platform "${text}": expected os/arch[/variant]`);
  }
  const p: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2]) p.variant = parts[2];
  return p;
}

/** "os/arch[/variant]", or "unknown" without a platform. */
export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Default variants so that "linux/arm64" matches "linux/arm64/v8". */
function normalizedVariant(p: Platform): string | undefined {
  if (p.variant) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  if (p.architecture === 'arm') return 'v7';
  return undefined;
}

/** Whether `candidate` satisfies the `wanted` platform (variant only compared when wanted has one). */
export function platformMatches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false;
  if (wanted.variant === undefined) return true;
  return normalizedVariant(wanted) === normalizedVariant(candidate);
}

export function samePlatform(a: Platform | undefined, b: Platform | undefined): boolean {
  if (!a || !b) return false;
  return (
    a.os === b.os &&
    a.architecture === b.architecture &&
    normalizedVariant(a) === normalizedVariant(b) &&
    (a['os.version'] ?? '') === (b['os.version'] ?? '')
  );
}

/** Picks a child by platform the way skopeo does: first match wins. */
export function pickPlatform(index: IndexManifest, wanted: Platform, where: string): Descriptor {
  const found = index.manifests.find((m) => platformMatches(wanted, m.platform));
  if (!found) {
    const available = index.manifests.map((m) => formatPlatform(m.platform)).join(', ');
    throw new FerryError('ERR_NOT_FOUND', `${where} has no image for platform ${formatPlatform(wanted)} (available: ${available || 'none'})`);
  }
  return found;
}
