import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../src/errors.js';
import { validateDescriptor } from '../../../src/oci/descriptor.js';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const good = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 10 };

function invalid(value: unknown, where = 'layer 3'): FerryError {
  try {
    validateDescriptor(value, where);
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    expect((e as FerryError).code).toBe('ERR_MANIFEST_INVALID');
    expect((e as FerryError).message.startsWith(`${where}: `)).toBe(true);
    return e as FerryError;
  }
  throw new Error('expected the descriptor to be rejected');
}

describe('validateDescriptor', () => {
  it('returns the very object, unknown fields included', () => {
    const d = { ...good, annotations: { a: 'b' }, urls: ['https://x'], 'x-extra': { keep: true } };
    expect(validateDescriptor(d, 'config')).toBe(d);
  });

  it('accepts size 0 (the empty blob)', () => {
    expect(validateDescriptor({ ...good, size: 0 }, 'config').size).toBe(0);
  });

  it.each([null, undefined, 'sha256:abc', 42, true])('rejects the non-object %j', (value) => {
    expect(invalid(value).message).toBe('layer 3: descriptor is not an object');
  });

  it.each([{}, { ...good, mediaType: '' }, { ...good, mediaType: 7 }])('rejects a missing or empty mediaType (%j)', (value) => {
    expect(invalid(value).message).toBe('layer 3: descriptor has no mediaType');
  });

  it.each([
    [{ ...good, digest: undefined }, 'undefined'],
    [{ ...good, digest: 'sha256:abc' }, 'sha256:abc'],
    [{ ...good, digest: 123 }, '123'],
  ])('rejects the invalid digest in %j, quoting it', (value, shown) => {
    expect(invalid(value).message).toBe(`layer 3: descriptor has an invalid digest "${shown}"`);
  });

  it.each([-1, 1.5, '10', Number.NaN, 2 ** 53, null])('rejects size %j, naming the digest', (size) => {
    expect(invalid({ ...good, size }).message).toBe(`layer 3: descriptor ${DIGEST} has an invalid size`);
  });

  it('rejects a missing size', () => {
    const { size: _size, ...rest } = good;
    expect(invalid(rest).message).toContain('has an invalid size');
  });
});
