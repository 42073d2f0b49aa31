import { AbortedError, FerryError, RegistryError } from '../errors.js';
import { systemClock, type Clock } from './clock.js';

/** Retry policy as plain data (undici's shape): what is retried and how long to wait. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a registry asking for more gets a failure instead of a hang. */
  maxRetryAfterMs: number;
  /** Wait exactly this long between attempts instead of backing off (skopeo's --retry-delay); a larger Retry-After still wins. */
  fixedDelayMs?: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, minDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

export const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

// ENOTFOUND / EAI_NONAME are absent on purpose: a DNS answer that the name does not exist
// is final, and retrying it only delays the error through the whole backoff. EAI_AGAIN
// (the resolver itself failed) stays retryable.
const retryableNetworkCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
  // node:http's timeouts (src/http/node-http.ts)
  'ERR_HEADERS_TIMEOUT', 'ERR_BODY_TIMEOUT',
]);

/** Whether an error (network or registry) may pass on a second attempt. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof RegistryError) return e.temporary;
  if (e instanceof FerryError) {
    if (e.code === 'ERR_TIMEOUT') return true;
    // a wrapped network failure is as retryable as its cause: a reset is, a TLS mismatch is not
    if (e.code === 'ERR_NETWORK') return e.cause === undefined || isRetryable(e.cause);
    return false;
  }
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && retryableNetworkCodes.has(code)) return true;
  const cause = (e as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== e && isRetryable(cause);
}

/** Retry-After in ms: seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  if (policy.fixedDelayMs !== undefined && policy.fixedDelayMs > 0) return policy.fixedDelayMs;
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  // jitter spreads parallel blob retries so they do not hit the registry in lockstep
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export class RetryAfterError extends Error {
  constructor(readonly inner: unknown, readonly delayMs: number) {
    super('retry after');
  }
}

/**
 * Runs `attempt` until it succeeds, fails with something not retryable, or retries run
 * out. `attempt` must be replayable: it re-creates any request body itself.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  opts: { signal?: AbortSignal; onRetry?: (e: unknown, n: number, delayMs: number) => void; clock?: Clock } = {},
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const inner = e instanceof RetryAfterError ? e.inner : e;
      if (opts.signal?.aborted) throw new AbortedError();
      if (n >= policy.retries || !isRetryable(inner)) throw inner;
      let delay = backoffDelay(policy, n);
      if (e instanceof RetryAfterError) {
        if (e.delayMs > policy.maxRetryAfterMs) throw inner;
        delay = Math.max(delay, e.delayMs);
      }
      opts.onRetry?.(inner, n + 1, delay);
      try {
        await (opts.clock ?? systemClock).sleep(delay, opts.signal);
      } catch {
        throw new AbortedError();
      }
    }
  }
}
