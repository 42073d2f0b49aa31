// Just enough JOSE to mint registry tokens: RS256 signatures over compact
// JWTs, identified either by an x5c chain or by a libtrust key id, the two
// ways distribution 2.8 accepts when verifying against its rootcertbundle.
import { createHash, createPrivateKey, createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';

export type KeyIdentification = 'x5c' | 'kid';

export interface JwtSigner {
  keyPem: string;
  certPem: string;
  identifyBy: KeyIdentification;
}

export interface RegistryClaims {
  iss: string;
  sub: string;
  /** distribution 2.8 decodes `aud` into a Go string: an array makes it reject the token. */
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: ResourceAccess[];
}

export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

export function signJwt(claims: RegistryClaims, signer: JwtSigner): string {
  const header: Record<string, unknown> = { typ: 'JWT', alg: 'RS256' };
  if (signer.identifyBy === 'x5c') {
    header.x5c = [new X509Certificate(signer.certPem).raw.toString('base64')];
  } else {
    header.kid = libtrustKeyId(createPublicKey(signer.certPem));
  }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), createPrivateKey(signer.keyPem));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * docker/libtrust's key id: SHA-256 of the DER SubjectPublicKeyInfo, first 240
 * bits, base32, in twelve colon-separated groups of four.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(der).digest().subarray(0, 30);
  const encoded = base32(digest);
  return encoded.match(/.{4}/g)?.join(':') ?? encoded;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: RegistryClaims;
}

/** Reads a token without verifying it, for tests that assert on what was granted. */
export function decodeJwt(token: string): DecodedJwt {
  const [header, payload] = token.split('.');
  if (header === undefined || payload === undefined) throw new Error('not a compact JWT');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as RegistryClaims,
  };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
