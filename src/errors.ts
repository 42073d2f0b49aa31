/**
 * The error hierarchy. Every error ferry throws on purpose is a FerryError with a
 * stable string `code` (for scripts and the library), `status` / `registryCode` when an
 * HTTP answer is behind it, an optional `hint`, and an `exitCode` (for the CLI).
 * Messages are one line and name the location / digest / status involved; they
 * never contain credentials.
 */

export type ErrorCode =
  | 'ERR_USAGE'
  | 'ERR_REFERENCE'
  | 'ERR_REGISTRY'
  | 'ERR_NOT_FOUND'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_DENIED'
  | 'ERR_CREDENTIALS'
  | 'ERR_NETWORK'
  | 'ERR_TLS'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_SIZE_MISMATCH'
  | 'ERR_TOO_LARGE'
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_UNSUPPORTED'
  | 'ERR_LAYOUT'
  | 'ERR_COMPRESSION'
  | 'ERR_CONFLICT'
  | 'ERR_ABORTED'
  | 'ERR_TIMEOUT'
  | 'ERR_LINT_FINDINGS';

/**
 * Exit statuses as skopeo's scripts read them (skopeo >= 1.16): 2 means the image,
 * manifest, tag, repository or layout entry is not there; 1 is every other failure,
 * usage errors included; 130 an interrupt. The finer reason stays readable in the
 * stable `code` printed with every error (docs/exit-status.md).
 */
export function exitStatusFor(code: ErrorCode): number {
  if (code === 'ERR_NOT_FOUND') return 2;
  if (code === 'ERR_ABORTED') return 130;
  return 1;
}

/** What a FerryError may carry besides its code and message. */
export interface FerryErrorOptions {
  cause?: unknown;
  /** The HTTP status of the answer behind the error, when there was one. */
  status?: number;
  /** The registry's own error code (MANIFEST_UNKNOWN, DENIED, ...), when it sent one. */
  registryCode?: string;
  /** What the user can do about it; see {@link FerryError.hint}. */
  hint?: string;
}

/**
 * The root of every error ferry throws on purpose. `status` and `registryCode` are set
 * for failures that come from an HTTP answer (also when wrapped: they are taken from a
 * FerryError `cause`) and undefined otherwise.
 */
export class FerryError extends Error {
  /** Stable string code, for scripts and programs. */
  readonly code: ErrorCode;
  /** HTTP status of the registry or token server answer, or undefined when not HTTP. */
  readonly status: number | undefined;
  /** The registry's error code from the answer body, or undefined. */
  readonly registryCode: string | undefined;
  /**
   * A separate, one-line suggestion, kept out of `message`. Library hints name options
   * in backticks (`` `tlsVerify: false` ``); the CLI prints them with its flag names.
   * Writable so a caller with more context can sharpen it.
   */
  hint: string | undefined;
  constructor(code: ErrorCode, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    const inner = options.cause instanceof FerryError ? options.cause : undefined;
    this.status = options.status ?? inner?.status;
    this.registryCode = options.registryCode ?? inner?.registryCode;
    this.hint = options.hint ?? inner?.hint;
  }
  get exitCode(): number {
    return exitStatusFor(this.code);
  }
}

/** Bad input: option values, flags, or arguments that cannot work together. */
export class UsageError extends FerryError {
  constructor(message: string, options: { hint?: string } = {}) {
    super('ERR_USAGE', message, options);
  }
}

/** A location or image reference that does not parse. */
export class InvalidReferenceError extends FerryError {
  readonly input: string;
  constructor(input: string, reason: string) {
    super('ERR_REFERENCE', `invalid reference "${input}": ${reason}`);
    this.input = input;
  }
}

/** One entry of a distribution error body: {"errors":[{"code","message","detail"}]}. */
export interface RegistryErrorDetail {
  code: string;
  message?: string;
  detail?: unknown;
}

/**
 * An HTTP answer from a registry that is not what the protocol step wanted.
 * Keeps the status and the registry's own error codes (MANIFEST_UNKNOWN, DENIED, ...).
 */
export class RegistryError extends FerryError {
  declare readonly status: number;
  readonly errors: RegistryErrorDetail[];
  readonly location: string;
  constructor(
    code: ErrorCode,
    location: string,
    status: number,
    errors: RegistryErrorDetail[],
    what: string,
  ) {
    const first = errors[0];
    const reg = first ? ` ${first.code}${first.message ? `: ${first.message}` : ''}` : '';
    super(code, `${what} ${location}: HTTP ${status}${reg}`, { status, ...(first ? { registryCode: first.code } : {}) });
    this.errors = errors;
    this.location = location;
  }
  /** Statuses/codes a retry may cure. */
  get temporary(): boolean {
    if (this.status === 408 || this.status === 429 || this.status >= 500) return true;
    return this.errors.some((e) => e.code === 'TOOMANYREQUESTS' || e.code === 'UNAVAILABLE');
  }
}

/** Content whose digest is not the one expected: a blob or manifest changed or was corrupted on the way. */
export class DigestMismatchError extends FerryError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super('ERR_DIGEST_MISMATCH', `digest mismatch for ${what}: expected ${expected}, got ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A blob longer or shorter than its descriptor says. */
export class SizeMismatchError extends FerryError {
  readonly expected: number;
  readonly actual: number;
  constructor(what: string, expected: number, actual: number, moreThan = false) {
    super(
      'ERR_SIZE_MISMATCH',
      `size mismatch for ${what}: expected ${expected} bytes, got ${moreThan ? 'more than ' : ''}${actual}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The operation's `signal` aborted; nothing was tagged. */
export class AbortedError extends FerryError {
  constructor(message = 'operation aborted') {
    super('ERR_ABORTED', message);
  }
}

/** Whether `e` is one of ferry's errors (and so has `code`, `status`, `registryCode`, `hint`). */
export function isFerryError(e: unknown): e is FerryError {
  return e instanceof FerryError;
}
