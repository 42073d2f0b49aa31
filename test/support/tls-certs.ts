// Throwaway PKI made with the openssl CLI: Node can make keys but not X.509
// certificates, and the registry (Go) insists on a subjectAltName.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

export interface ServerCertificates {
  /** PEM of the CA that signed the server certificate. */
  caCertPath: string;
  /** Docker-style certs dir holding only `ca.crt`, for skopeo's and ferry's `--cert-dir`. */
  certDir: string;
  serverCertPath: string;
  serverKeyPath: string;
  caPem: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA and a server certificate for 127.0.0.1 and localhost, valid for two days. */
export async function makeServerCertificates(dir: string): Promise<ServerCertificates> {
  await mkdir(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caCertPath = join(dir, 'ca.pem');
  await runCommand('openssl', [
    'req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCertPath, '-days', '2',
    '-subj', '/CN=ferry test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const serverKeyPath = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  await runCommand('openssl', ['req', '-new', ...EC_KEY, '-keyout', serverKeyPath, '-out', csr, '-subj', '/CN=127.0.0.1']);
  const extensions = join(dir, 'server.ext');
  await writeFile(
    extensions,
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  const serverCertPath = join(dir, 'server.crt');
  await runCommand('openssl', [
    'x509', '-req', '-in', csr, '-CA', caCertPath, '-CAkey', caKey, '-CAcreateserial',
    '-out', serverCertPath, '-days', '2', '-extfile', extensions,
  ]);
  const caPem = await readFile(caCertPath, 'utf8');
  // Only the CA goes in the certs dir: a *.cert/*.key pair there would be
  // taken by skopeo as a client certificate.
  const certDir = join(dir, 'certs.d');
  await mkdir(certDir, { recursive: true });
  await writeFile(join(certDir, 'ca.crt'), caPem);
  return { caCertPath, certDir, serverCertPath, serverKeyPath, caPem };
}

export interface SigningCertificate {
  keyPem: string;
  certPem: string;
  certPath: string;
}

/** RSA key with a self-signed certificate, used by the token server to sign JWTs. */
export async function makeSigningCertificate(dir: string): Promise<SigningCertificate> {
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, 'token-signer.key');
  const certPath = join(dir, 'token-signer.crt');
  await runCommand('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', '/CN=ferry test token signer',
  ]);
  return { keyPem: await readFile(keyPath, 'utf8'), certPem: await readFile(certPath, 'utf8'), certPath };
}
