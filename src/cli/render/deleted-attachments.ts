import type { DeletedAttachment } from '../../delete/attachments.js';

/** `delete --referrers`: one line per manifest that went with the image, then a count. */
export function renderDeletedAttachments(subject: string, list: readonly DeletedAttachment[]): string {
  const lines = list.map((a) => {
    if (a.sharedWith) return `Deleted tag ${a.tag} of ${a.kind} ${a.digest} (the manifest stays: ${a.sharedWith.join(', ')} point${a.sharedWith.length === 1 ? 's' : ''} at it too)\n`;
    const what = a.kind === 'referrers-index' ? 'referrers index' : a.kind;
    const type = a.artifactType ? ` ${a.artifactType}` : '';
    const tag = a.tag ? ` (tag ${a.tag})` : '';
    return `Deleted ${what}${type} ${a.digest}${tag}${a.deleted ? '' : ': already gone'}\n`;
  });
  const attachments = list.filter((a) => a.kind !== 'referrers-index' && a.deleted).length;
  return `${lines.join('')}Deleted ${attachments} attachment${attachments === 1 ? '' : 's'} of ${subject}\n`;
}
