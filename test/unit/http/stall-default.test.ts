import { describe, expect, it } from 'vitest';
import { DEFAULT_STALL_TIMEOUT_MS, RegistryClient } from '../../../src/http/client.js';
import { ClientPool } from '../../../src/transport/registry/client-pool.js';
import { registryClient } from '../../../src/transport/open.js';

describe('stall timeout', () => {
  it('defaults to 30 s and follows the session option', () => {
    expect(DEFAULT_STALL_TIMEOUT_MS).toBe(30_000);
    expect(new RegistryClient('registry.example').stallTimeoutMs).toBe(30_000);
    const pool = new ClientPool();
    expect(registryClient('registry.example', 'app', {}, { stallTimeoutMs: 1500 }, pool).stallTimeoutMs).toBe(1500);
  });

  it('refuses a stall timeout that is not a positive number', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => registryClient('registry.example', 'app', {}, { stallTimeoutMs: bad }, new ClientPool())).toThrow(/stallTimeoutMs must be a positive number/);
    }
  });
});
