/**
 * Whether a failure a source or destination reported may pass on a second attempt
 * (network breaks, stalls, 429/5xx). The copy engine retries whole blobs with it; the
 * decision itself lives with the HTTP layer, which knows the causes.
 */
export { isRetryable } from '../http/retry.js';
