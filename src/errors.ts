/**
 * The error hierarchy. Every error ferry throws on purpose is a FerryError with a
 * stable string `code` (for scripts and the library) and an `exitCode` (for the CLI).
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
  | 'ERR_TIMEOUT';

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

export class FerryError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  get exitCode(): number {
    return exitStatusFor(this.code);
  }
}

/** Bad command-line input or bad option values. */
export class UsageError extends FerryError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/** A location or image reference that does not parse. */
export class ReferenceError extends FerryError {
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
  readonly status: number;
  readonly registryCode: string | undefined;
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
    super(code, `${what} ${location}: HTTP ${status}${reg}`);
    this.status = status;
    this.errors = errors;
    this.registryCode = first?.code;
    this.location = location;
  }
  /** Statuses/codes a retry may cure. */
  get temporary(): boolean {
    if (this.status === 408 || this.status === 429 || this.status >= 500) return true;
    return this.errors.some((e) => e.code === 'TOOMANYREQUESTS' || e.code === 'UNAVAILABLE');
  }
}

export class DigestMismatchError extends FerryError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super('ERR_DIGEST_MISMATCH', `digest mismatch for ${what}: expected ${expected}, got ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

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

export class AbortedError extends FerryError {
  constructor(message = 'operation aborted') {
    super('ERR_ABORTED', message);
  }
}

export function isFerryError(e: unknown): e is FerryError {
  return e instanceof FerryError;
}
