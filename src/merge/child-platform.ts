import type { Platform } from '../oci/descriptor.js';

/** A platform as a spec or a flag may give it: any subset of the fields. */
export type PlatformOverride = Partial<Platform>;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function texts(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/**
 * Field order of the OCI platform struct, so the same platform always serialises to the
 * same bytes (and a re-run of a merge gives the same index digest).
 */
export function normalizePlatform(p: PlatformOverride): Platform | undefined {
  const os = text(p.os);
  const architecture = text(p.architecture);
  if (!os || !architecture) return undefined;
  const out: Platform = { architecture, os };
  const osVersion = text(p['os.version']);
  if (osVersion) out['os.version'] = osVersion;
  const osFeatures = texts(p['os.features']);
  if (osFeatures) out['os.features'] = osFeatures;
  const variant = text(p.variant);
  if (variant) out.variant = variant;
  const features = texts(p.features);
  if (features) out.features = features;
  return out;
}

/** The platform an image config declares (os, architecture, variant, os.version, os.features). */
export function platformFromConfig(config: Record<string, unknown> | undefined): Platform | undefined {
  if (!config) return undefined;
  return normalizePlatform({
    os: text(config['os']),
    architecture: text(config['architecture']),
    variant: text(config['variant']),
    'os.version': text(config['os.version']),
    'os.features': texts(config['os.features']),
  });
}

/**
 * A spec's platform over the image's own. Naming os or architecture replaces the whole
 * platform (as manifest-tool does: a config's "v8" must not stick to a relabelled
 * amd64); giving only the other fields adjusts the image's platform.
 */
export function applyOverride(base: Platform | undefined, override: PlatformOverride | undefined): Platform | undefined {
  if (!override || Object.keys(override).length === 0) return base;
  if (override.os !== undefined || override.architecture !== undefined) {
    return normalizePlatform({ ...override, os: override.os ?? base?.os, architecture: override.architecture ?? base?.architecture });
  }
  return base ? normalizePlatform({ ...base, ...override }) : undefined;
}

/** True when the override alone names a platform, so the image's config need not be read. */
export function overrideIsComplete(override: PlatformOverride | undefined): boolean {
  return override?.os !== undefined && override.architecture !== undefined;
}
