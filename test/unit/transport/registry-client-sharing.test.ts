import { afterEach, describe, expect, it } from 'vitest';
import { registryClient } from '../../../src/transport/open.js';
import { ClientPool } from '../../../src/transport/registry/client-pool.js';

describe('registryClient: which sides share a client (and its tokens) in one pool', () => {
  const pool = new ClientPool();
  afterEach(() => pool.close());
  const client = (side: Parameters<typeof registryClient>[2]) => registryClient('r.io', 'app', side, {}, pool);

  it('shares one client between sides with equal credential values', () => {
    expect(client({ credentials: { username: 'u', password: 'p' } })).toBe(client({ credentials: { username: 'u', password: 'p' } }));
    expect(client({ credentials: { token: 't' } })).toBe(client({ credentials: { token: 't' } }));
  });

  it('keeps different credentials, callbacks and TLS settings apart', () => {
    const a = client({ credentials: { username: 'u', password: 'p' } });
    // identity comparisons as booleans: a failing toBe would try to print the clients
    expect(client({ credentials: { username: 'u', password: 'other' } }) === a).toBe(false);
    expect(client({ credentials: { token: 'p' } }) === a).toBe(false);
    expect(client({ credentials: { username: 'u', password: 'p' }, tlsVerify: false }) === a).toBe(false);
    const callback = async () => undefined;
    expect(client({ credentials: callback }) === client({ credentials: callback })).toBe(true);
    expect(client({ credentials: async () => undefined }) === client({ credentials: callback })).toBe(false);
  });
});
