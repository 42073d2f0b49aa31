import type { Attachment, AttachmentSelection } from './types.js';
import { cosignTagMatches } from './classify.js';
import { parseAttachmentTag } from './tags.js';

/** Whether the selection carries anything at all (false: discovery makes no request). */
export function wantsAttachments(selection: AttachmentSelection = {}): boolean {
  return selection.referrers !== false && (selection.artifactTypes === undefined || selection.artifactTypes.length > 0);
}

/**
 * Whether one attachment is selected, judged on its own (its own attachments are judged in
 * turn; one left out takes everything attached to it along, since its subject is gone).
 */
export function isSelected(a: Omit<Attachment, 'attachments'>, selection: AttachmentSelection = {}): boolean {
  if (selection.referrers === false) return false;
  if (selection.signatures === false && a.kind === 'signature') return false;
  const types = selection.artifactTypes;
  if (types === undefined) return true;
  if (a.via === 'cosign-tag') {
    const suffix = a.tag ? parseAttachmentTag(a.tag)?.suffix : undefined;
    return suffix !== undefined && cosignTagMatches(suffix, types);
  }
  return a.descriptor.artifactType !== undefined && types.includes(a.descriptor.artifactType);
}

/** The one artifactType worth sending to a registry's filter (several: ask for all, filter here). */
export function serverFilter(selection: AttachmentSelection = {}): string | undefined {
  const types = selection.artifactTypes;
  return types && types.length === 1 ? types[0] : undefined;
}
