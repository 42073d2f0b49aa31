import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError } from '../errors.js';

/**
 * Shared by every client of one registry host: when the registry says 429 (with or
 * without Retry-After), every request to that host waits until the pause is over, not
 * just the worker that was told. Otherwise N parallel images keep hammering a registry
 * that is already refusing them, and each burns its retries.
 */
export class HostGate {
  private openAt = 0;

  /** Resolves once the host may be asked again. */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const delay = this.openAt - Date.now();
      if (delay <= 0) return;
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw new AbortedError();
      }
    }
  }

  /** Closes the gate for `ms` from now (a later close wins; an earlier one never shortens it). */
  pause(ms: number): void {
    this.openAt = Math.max(this.openAt, Date.now() + ms);
  }

  /** Milliseconds until the gate opens (0 when open); for tests and --debug. */
  get remainingMs(): number {
    return Math.max(0, this.openAt - Date.now());
  }
}
