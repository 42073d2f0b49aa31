import { Option, type Command } from 'commander';
import { FerryError } from '../../errors.js';

/**
 * skopeo flags ferry does not implement. Each is still declared, so a script that
 * passes one gets "not supported: <why>" and exit 1, not commander's "unknown option"
 * (which reads like a typo). They are hidden from --help; docs/skopeo-compat.md lists them.
 */
const refusals = new WeakMap<Option, string>();

export function refuseFlag(cmd: Command, flags: string, why: string): Command {
  const option = new Option(flags, `not supported: ${why}`).hideHelp();
  refusals.set(option, why);
  return cmd.addOption(option);
}

/**
 * A skopeo flag ferry accepts and ignores, where ignoring it is honest: it changes
 * nothing ferry does (the reason is in --help).
 */
export function acceptNoOp(cmd: Command, flags: string, why: string): Command {
  return cmd.addOption(new Option(flags, `accepted for skopeo compatibility; no effect: ${why}`));
}

/** skopeo's signing flags (copy and sync): refused, since ferry signs nothing. */
export function refuseSigningFlags(cmd: Command, afterWhat: string): Command {
  for (const flag of ['--sign-by <key-id>', '--sign-by-sigstore <param-file>', '--sign-by-sigstore-private-key <path>', '--sign-by-sq-fingerprint <fingerprint>', '--sign-passphrase-file <path>', '--sign-identity <reference>']) {
    refuseFlag(cmd, flag, `ferry does not sign images; sign the ${afterWhat} afterwards (cosign sign, notation sign)`);
  }
  return cmd;
}

/** Throws for the first refused flag set on `cmd` (run before each action). */
export function checkRefusedFlags(cmd: Command): void {
  for (const option of cmd.options) {
    const why = refusals.get(option);
    if (why !== undefined && cmd.getOptionValue(option.attributeName()) !== undefined) {
      throw new FerryError('ERR_UNSUPPORTED', `${option.long ?? option.flags}: not supported: ${why}`);
    }
  }
}
