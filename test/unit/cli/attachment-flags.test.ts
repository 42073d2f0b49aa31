import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addAttachmentFlags, attachmentSelectionFrom } from '../../../src/cli/commands/attachment-flags.js';

function parse(args: string[]): Record<string, unknown> {
  const cmd = addAttachmentFlags(new Command('copy').exitOverride()).action(() => undefined);
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('attachment flags', () => {
  it('carry everything when none is given', () => {
    expect(attachmentSelectionFrom(parse([]))).toEqual({});
  });

  it('map to the library selection', () => {
    expect(attachmentSelectionFrom(parse(['--remove-signatures']))).toEqual({ signatures: false });
    expect(attachmentSelectionFrom(parse(['--no-referrers']))).toEqual({ referrers: false });
    expect(attachmentSelectionFrom(parse(['--referrers-artifact-type', 'application/spdx+json', '--referrers-artifact-type', 'application/vnd.cncf.notary.signature']))).toEqual({
      artifactTypes: ['application/spdx+json', 'application/vnd.cncf.notary.signature'],
    });
  });

  it('refuse --no-referrers with an artifact type', () => {
    expect(() => attachmentSelectionFrom(parse(['--no-referrers', '--referrers-artifact-type', 'x/y']))).toThrow(/--no-referrers contradicts --referrers-artifact-type/);
  });
});
