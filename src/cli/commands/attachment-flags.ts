import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { AttachmentSelection } from '../../referrers/types.js';

/** copy, sync and manifest-merge choose the same way which attachments come along (docs/referrers.md). */
export function addAttachmentFlags(cmd: Command): Command {
  return cmd
    .option('--remove-signatures', 'leave out signatures (cosign .sig, Notation, sigstore bundles); attestations and SBOMs still come along')
    .option('--no-referrers', 'leave out everything attached to the image (signatures, attestations, SBOMs, other referrers)')
    .option('--referrers-artifact-type <type>', 'carry only attachments of this artifact type (repeatable; cosign tags by their kind)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

/** The flags as the library's AttachmentSelection; none set: everything comes along. */
export function attachmentSelectionFrom(opts: Record<string, unknown>): AttachmentSelection {
  const types = opts['referrersArtifactType'] as string[] | undefined;
  if (opts['referrers'] === false && types?.length) throw new UsageError('--no-referrers contradicts --referrers-artifact-type');
  return {
    ...(opts['referrers'] === false ? { referrers: false } : {}),
    ...(opts['removeSignatures'] === true ? { signatures: false } : {}),
    ...(types?.length ? { artifactTypes: types } : {}),
  };
}
