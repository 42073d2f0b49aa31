import { describe, expect, it } from 'vitest';
import { destinationSuffix, destinationTag, registryOnly, targetFor } from '../../../src/sync/naming.js';

describe('skopeo destination naming', () => {
  it('takes the last path component, or the whole path with --scoped', () => {
    expect(destinationSuffix('registry.example.com', 'repo/busybox', {})).toBe('busybox');
    expect(destinationSuffix('registry.example.com', 'repo/busybox', { scoped: true })).toBe('registry.example.com/repo/busybox');
    expect(destinationSuffix('registry.example.com', 'repo/busybox', { wholePath: true })).toBe('repo/busybox');
  });

  it('puts it under the destination registry and prefix, or folder', () => {
    expect(targetFor('docker', 'my-registry.local.lan/repo/', 'busybox')).toEqual({ kind: 'docker', registry: 'my-registry.local.lan', repository: 'repo/busybox' });
    expect(targetFor('docker', '127.0.0.1:5000', 'busybox')).toEqual({ kind: 'docker', registry: '127.0.0.1:5000', repository: 'busybox' });
    expect(targetFor('dir', '/media/usb', 'busybox')).toEqual({ kind: 'dir', path: '/media/usb/busybox' });
    expect(targetFor('oci', '/media/usb/', 'a/b')).toEqual({ kind: 'oci', path: '/media/usb/a/b' });
  });

  it('appends --append-suffix to tags, and knows a registry alone', () => {
    expect(destinationTag('1.0', { appendSuffix: '-mirror' })).toBe('1.0-mirror');
    expect(registryOnly('127.0.0.1:5000/')).toBe('127.0.0.1:5000');
    expect(registryOnly('127.0.0.1:5000/x')).toBeUndefined();
    expect(registryOnly('busybox')).toBeUndefined();
  });
});
