import type { Descriptor } from '../../oci/descriptor.js';
import type { RawManifest } from '../../oci/manifest.js';
import { parseManifest } from '../../oci/manifest.js';
import { REF_NAME_ANNOTATION } from './layout.js';

/**
 * How a layout keeps what is attached to its images (docs/referrers.md, "Layouts"): the
 * referrers tag schema's index and cosign's tags become index.json entries under their
 * own ref names, exactly as a registry holds them as tags, so copying the layout back
 * out finds them the same way. They never take the location's ref name.
 */

/**
 * A manifest with a `subject` is an attachment pushed by digest (a referrer): it is
 * reachable through the referrers index and is never the image the location names.
 */
export function hasSubject(raw: RawManifest): boolean {
  const m = parseManifest(raw.bytes, raw.mediaType);
  return m.kind !== 'schema1' && m.subject !== undefined;
}

/** Attachment tags stored since the last commit, written to index.json by the next. */
export class PendingRefs {
  private readonly refs = new Map<string, RawManifest>();

  set(tag: string, raw: RawManifest): void {
    this.refs.set(tag, raw);
  }

  get(tag: string): RawManifest | undefined {
    return this.refs.get(tag);
  }

  names(): string[] {
    return [...this.refs.keys()];
  }

  /** The index.json entries for every pending tag; the list is empty afterwards. */
  drain(): Descriptor[] {
    const out = [...this.refs].map(([tag, raw]) => ({
      mediaType: raw.mediaType,
      digest: raw.digest,
      size: raw.bytes.byteLength,
      annotations: { [REF_NAME_ANNOTATION]: tag },
    }));
    this.refs.clear();
    return out;
  }
}
