import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';

export interface TlsOptions {
  /** false: accept any certificate and allow plain HTTP (skopeo's --tls-verify=false). */
  verify: boolean;
  /** docker certs.d layout: *.crt are CAs, NAME.cert + NAME.key a client pair. */
  certDir?: string;
}

export interface TlsMaterial {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** Per-host certificate folders docker and podman read when no --cert-dir is given. */
export function defaultCertDirs(host: string): string[] {
  return [join('/etc/containers/certs.d', host), join('/etc/docker/certs.d', host)];
}

async function listDir(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('ERR_TLS', `cannot read certificate directory ${dir}: ${(e as Error).message}`);
  }
}

/**
 * Reads a certs.d folder. Extra CAs are added to Node's bundled roots, not put in their
 * place, so public registries keep working with --cert-dir set.
 */
export async function loadTlsMaterial(host: string, opts: TlsOptions): Promise<TlsMaterial> {
  const material: TlsMaterial = { rejectUnauthorized: opts.verify };
  const dirs = opts.certDir ? [opts.certDir] : defaultCertDirs(host);
  for (const dir of dirs) {
    const files = await listDir(dir);
    if (!files) continue;
    const cas: string[] = [];
    for (const f of files.sort()) {
      if (f.endsWith('.crt')) cas.push(await readFile(join(dir, f), 'utf8'));
      if (f.endsWith('.cert')) {
        const keyName = f.slice(0, -'.cert'.length) + '.key';
        if (!files.includes(keyName)) throw new FerryError('ERR_TLS', `client certificate ${join(dir, f)} has no matching ${keyName}`);
        material.cert = await readFile(join(dir, f), 'utf8');
        material.key = await readFile(join(dir, keyName), 'utf8');
      }
    }
    if (cas.length > 0) {
      // loaded on use, synchronously: the CLI bundle runs in vm.Script, which has no import()
      const { rootCertificates } = process.getBuiltinModule('node:tls');
      material.ca = [...rootCertificates, ...cas];
    }
    break;
  }
  return material;
}

/** Loopback hosts may be plain HTTP, as docker treats 127.0.0.0/8 as insecure. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export function describeTlsError(host: string, e: unknown): FerryError | undefined {
  const code = (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (!code) return undefined;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/i.test(code) && code !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new FerryError('ERR_TLS', `TLS verification failed for ${host}: ${code}`, {
      hint: 'trust its CA with `certDir`, or skip verification with `tlsVerify: false`',
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new FerryError('ERR_TLS', `TLS certificate of ${host} does not name that host (${code})`);
  }
  return undefined;
}
