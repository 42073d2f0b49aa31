import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';

/**
 * skopeo copy flags ferry answers without doing what skopeo does: accepted ones that
 * would change nothing in ferry (said why in --help), and refused ones that ferry
 * cannot honour, which fail with one line saying why rather than commander's
 * "unknown option" (a script author then knows it is a decision, not a typo).
 */
interface CompatFlag {
  flags: string;
  why: string;
}

const ACCEPTED: CompatFlag[] = [
  {
    flags: '--dest-precompute-digests',
    why: 'no effect: ferry already checks the destination for every blob whose digest is known before sending it; recompressed layers are streamed, not staged on disk',
  },
  {
    flags: '--dest-oci-accept-uncompressed-layers',
    why: 'no effect: ferry stores layers in oci: layouts as they come and never compresses uncompressed ones',
  },
  { flags: '--remove-signatures', why: 'no effect: ferry copies no signatures' },
];

const NO_SIGNING = 'ferry does not sign images (sign after the copy, e.g. with cosign)';
const NO_ENCRYPTION = 'ferry does not encrypt or decrypt images';

const REFUSED: CompatFlag[] = [
  { flags: '--sign-by <key-id>', why: NO_SIGNING },
  { flags: '--sign-by-sigstore <param-file>', why: NO_SIGNING },
  { flags: '--sign-by-sigstore-private-key <path>', why: NO_SIGNING },
  { flags: '--sign-passphrase-file <path>', why: NO_SIGNING },
  { flags: '--sign-identity <reference>', why: NO_SIGNING },
  { flags: '--encryption-key <protocol:keyfile>', why: NO_ENCRYPTION },
  { flags: '--decryption-key <key>', why: NO_ENCRYPTION },
  { flags: '--encrypt-layer <ints>', why: NO_ENCRYPTION },
  { flags: '--src-daemon-host <host>', why: 'ferry has no docker-daemon: transport (it reads registries and local files, not a Docker engine)' },
  { flags: '--dest-daemon-host <host>', why: 'ferry has no docker-daemon: transport (it reads registries and local files, not a Docker engine)' },
  { flags: '--dest-decompress', why: 'ferry does not store layers uncompressed (--dest-compress-format gzip|zstd recompresses them)' },
  { flags: '--dry-run', why: 'ferry copy has no dry run (ferry inspect shows what a copy would read)' },
];

const ACCEPTED_HEADING = 'skopeo flags accepted with no effect:';
const REFUSED_HEADING = 'skopeo flags ferry refuses (each fails with the reason):';

function attribute(flags: string): string {
  const long = /--([a-z-]+)/.exec(flags)![1]!;
  return long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function addCopyCompatFlags(cmd: Command): Command {
  for (const f of ACCEPTED) cmd.addOption(new Option(f.flags, f.why).helpGroup(ACCEPTED_HEADING));
  for (const f of REFUSED) cmd.addOption(new Option(f.flags, `not supported: ${f.why}`).helpGroup(REFUSED_HEADING));
  return cmd;
}

/** Fails on the first refused flag present, naming it and the reason. */
export function refuseUnsupportedFlags(opts: Record<string, unknown>): void {
  for (const f of REFUSED) {
    if (opts[attribute(f.flags)] === undefined) continue;
    const name = /--[a-z-]+/.exec(f.flags)![0];
    throw new UsageError(`${name}: not supported: ${f.why}`);
  }
}
