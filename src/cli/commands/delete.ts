import { Command } from 'commander';
import { addSideFlags, sideOptions } from './flags.js';
import { refuseFlag } from './compat-flags.js';
import { addRetryFlags, session, type CommandContext } from './context.js';
import { renderDeletedAttachments } from '../render/deleted-attachments.js';

export function deleteCommand(ctx: CommandContext): Command {
  const cmd = new Command('delete')
    .description('delete a tag (only that tag) or a manifest by digest (with every tag on it)')
    .argument('<location>', 'docker://REGISTRY/REPO:TAG or docker://REGISTRY/REPO@DIGEST')
    .option('--manifest', "delete the manifest behind a tag and every tag on it (skopeo's behaviour)")
    .option('--referrers', 'also delete what is attached to the manifest (signatures, attestations, SBOMs, their referrers indexes and cosign tags), first');
  addRetryFlags(cmd);
  addSideFlags(cmd, '');
  refuseFlag(cmd, '--daemon-host <host>', 'ferry has no docker-daemon: transport');
  refuseFlag(cmd, '--shared-blob-dir <dir>', 'ferry deletes from registries only');
  return cmd.action(async (location: string, opts: Record<string, unknown>) => {
    // loaded on use: start-up pays only for the command that runs
    const { deleteImage } = await import('../../delete/delete.js');
    const r = await deleteImage(location, { ...session(ctx, opts), ...sideOptions(opts, ''), manifest: opts['manifest'] === true, referrers: opts['referrers'] === true });
    if (r.attachments) ctx.stdout.write(renderDeletedAttachments(r.digest, r.attachments));
    if (r.removed === 'manifest') ctx.stdout.write(`Deleted manifest ${r.digest} and every tag pointing at it\n`);
    else ctx.stdout.write(`Deleted tag ${location} (manifest ${r.digest} and its other tags remain)\n`);
  });
}
