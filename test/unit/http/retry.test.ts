import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { AbortedError, FerryError, RegistryError } from '../../../src/errors.js';
import { registryError } from '../../../src/http/registry-errors.js';
import {
  RetryAfterError,
  backoffDelay,
  defaultRetryPolicy,
  isRetryable,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
} from '../../../src/http/retry.js';

const fast: RetryPolicy = { retries: 3, minDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 1000 };
const unavailable = () => registryError('reading manifest', 'docker://h/app:v1', 503, undefined);
const notFound = () => registryError('reading manifest', 'docker://h/app:v1', 404, undefined);
const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 12:01:00 GMT', now)).toBe(60_000);
  });

  it('answers 0 for a date in the past', () => {
    expect(parseRetryAfter('Mon, 01 Jan 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('takes the first of several values', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('answers undefined for a missing or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter([], now)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('follows RegistryError.temporary', () => {
    expect(isRetryable(unavailable())).toBe(true);
    expect(isRetryable(registryError('w', 'l', 429, undefined))).toBe(true);
    expect(isRetryable(registryError('w', 'l', 408, undefined))).toBe(true);
    expect(isRetryable(notFound())).toBe(false);
    expect(isRetryable(registryError('w', 'l', 401, undefined))).toBe(false);
  });

  it('retries timeouts and network failures unless the cause is permanent', () => {
    expect(isRetryable(new FerryError('ERR_TIMEOUT', 'stalled'))).toBe(true);
    expect(isRetryable(new FerryError('ERR_NETWORK', 'down'))).toBe(true);
    expect(isRetryable(new FerryError('ERR_NETWORK', 'reset', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isRetryable(new FerryError('ERR_NETWORK', 'bad tls', { cause: withCode('ERR_SSL_WRONG_VERSION_NUMBER') }))).toBe(false);
  });

  it('never retries other ferry errors', () => {
    expect(isRetryable(new FerryError('ERR_DIGEST_MISMATCH', 'x'))).toBe(false);
    expect(isRetryable(new FerryError('ERR_TLS', 'x', { cause: withCode('ECONNRESET') }))).toBe(false);
    expect(isRetryable(new AbortedError())).toBe(false);
  });

  it('retries raw network errors by code, also when nested as cause', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT']) {
      expect(isRetryable(withCode(code))).toBe(true);
    }
    expect(isRetryable(new Error('fetch failed', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isRetryable(withCode('EACCES'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable('ECONNRESET')).toBe(false);
  });

  it('treats a name that does not resolve as final, a failed resolver as transient', () => {
    for (const code of ['ENOTFOUND', 'EAI_NONAME']) {
      expect(isRetryable(withCode(code))).toBe(false);
      expect(isRetryable(new FerryError('ERR_NETWORK', 'no host', { cause: withCode(code) }))).toBe(false);
    }
    expect(isRetryable(withCode('EAI_AGAIN'))).toBe(true);
  });

  it('gives up on ENOTFOUND after one attempt', async () => {
    let attempts = 0;
    const e = await withRetries(fast, async () => {
      attempts++;
      throw new FerryError('ERR_NETWORK', 'no host', { cause: withCode('ENOTFOUND') });
    }).catch((err: unknown) => err);
    expect((e as FerryError).code).toBe('ERR_NETWORK');
    expect(attempts).toBe(1);
  });

  it('does not loop on an error that is its own cause', () => {
    const e = new Error('self') as Error & { cause?: unknown };
    e.cause = e;
    expect(isRetryable(e)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt, stays within [base/2, base] and is capped', () => {
    const policy: RetryPolicy = { retries: 10, minDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 0 };
    for (let i = 0; i < 50; i++) {
      const d0 = backoffDelay(policy, 0);
      expect(d0).toBeGreaterThanOrEqual(50);
      expect(d0).toBeLessThanOrEqual(100);
      const d2 = backoffDelay(policy, 2);
      expect(d2).toBeGreaterThanOrEqual(200);
      expect(d2).toBeLessThanOrEqual(400);
      const d9 = backoffDelay(policy, 9);
      expect(d9).toBeGreaterThanOrEqual(500);
      expect(d9).toBeLessThanOrEqual(1000);
    }
  });

  it('has sane defaults', () => {
    expect(defaultRetryPolicy.retries).toBeGreaterThan(0);
    expect(defaultRetryPolicy.maxRetryAfterMs).toBeGreaterThan(defaultRetryPolicy.maxDelayMs);
  });
});

describe('withRetries', () => {
  it('retries a 503 and then succeeds', async () => {
    const seen: number[] = [];
    const retried: [number, number][] = [];
    const clock = new FakeClock();
    const result = await withRetries(
      fast,
      async (n) => {
        seen.push(n);
        if (n < 2) throw unavailable();
        return 'manifest';
      },
      { onRetry: (e, n) => void retried.push([(e as RegistryError).status, n]), clock },
    );
    expect(result).toBe('manifest');
    expect(clock.sleeps).toHaveLength(2);
    expect(seen).toEqual([0, 1, 2]);
    expect(retried).toEqual([
      [503, 1],
      [503, 2],
    ]);
  });

  it('does not retry a 404', async () => {
    let calls = 0;
    const err = notFound();
    await expect(
      withRetries(fast, async () => {
        calls++;
        throw err;
      }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('gives up after the policy\'s retries with the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        { ...fast, retries: 2 },
        async () => {
          calls++;
          throw registryError('w', 'l', 500 + calls, undefined);
        },
        { clock: new FakeClock() },
      ),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(3);
  });

  it('makes one attempt with retries: 0', async () => {
    let calls = 0;
    await expect(
      withRetries({ ...fast, retries: 0 }, async () => {
        calls++;
        throw unavailable();
      }),
    ).rejects.toBeInstanceOf(RegistryError);
    expect(calls).toBe(1);
  });

  it('waits at least Retry-After and rethrows the inner error, not the wrapper', async () => {
    const delays: number[] = [];
    const clock = new FakeClock();
    let calls = 0;
    const out = await withRetries(
      fast,
      async () => {
        calls++;
        if (calls === 1) throw new RetryAfterError(unavailable(), 120);
        return calls;
      },
      { onRetry: (_e, _n, delay) => delays.push(delay), clock },
    );
    expect(out).toBe(2);
    expect(delays).toEqual([120]);
    // the wait really happened, on the injected clock: Retry-After wins over the shorter back-off
    expect(clock.sleeps).toEqual([120]);

    const inner = unavailable();
    await expect(withRetries({ ...fast, retries: 0 }, async () => Promise.reject(new RetryAfterError(inner, 5)))).rejects.toBe(inner);
  });

  it('fails at once when Retry-After exceeds the longest wait it honours', async () => {
    const inner = unavailable();
    let calls = 0;
    await expect(
      withRetries(fast, async () => {
        calls++;
        throw new RetryAfterError(inner, fast.maxRetryAfterMs + 1);
      }),
    ).rejects.toBe(inner);
    expect(calls).toBe(1);
  });

  it('stops waiting when the signal aborts during the back-off', async () => {
    const ac = new AbortController();
    const slow: RetryPolicy = { retries: 5, minDelayMs: 30_000, maxDelayMs: 60_000, maxRetryAfterMs: 60_000 };
    const clock = new FakeClock();
    clock.holdSleeps = true;
    let calls = 0;
    const p = withRetries(
      slow,
      async () => {
        calls++;
        throw unavailable();
      },
      // the back-off has started (and would last 15 s or more) when the signal aborts
      { signal: ac.signal, clock, onRetry: () => queueMicrotask(() => ac.abort()) },
    );
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    await expect(p).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(calls).toBe(1);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(15_000);
  });

  it('does not retry once the signal has aborted', async () => {
    const ac = new AbortController();
    let calls = 0;
    await expect(
      withRetries(
        fast,
        async () => {
          calls++;
          ac.abort();
          throw unavailable();
        },
        { signal: ac.signal },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(calls).toBe(1);
  });
});

describe('fixed retry delay (skopeo --retry-delay)', () => {
  it('replaces the backoff for every attempt; 0 keeps the backoff', async () => {
    const { retryPolicyFor } = await import('../../../src/transport/open.js');
    const policy = retryPolicyFor({ retryTimes: 5, retryDelayMs: 1234 });
    expect(policy).toMatchObject({ retries: 5, fixedDelayMs: 1234 });
    expect([0, 1, 4].map((n) => backoffDelay(policy, n))).toEqual([1234, 1234, 1234]);
    expect(retryPolicyFor({ retryDelayMs: 0 }).fixedDelayMs).toBeUndefined();
  });

  it('withRetries waits the fixed delay it reports, unless Retry-After asks for more', async () => {
    const delays: number[] = [];
    let n = 0;
    await withRetries({ ...fast, fixedDelayMs: 7 }, async () => {
      n++;
      if (n === 1) throw unavailable();
      if (n === 2) throw new RetryAfterError(unavailable(), 20);
      return 'ok';
    }, { onRetry: (_e, _n, delay) => delays.push(delay) });
    expect(delays).toEqual([7, 20]);
  });
});
