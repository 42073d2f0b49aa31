import { pipeline, type Readable } from 'node:stream';
import { FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { VerifyStream } from '../stream/verify.js';
import type { ImageSource } from './types.js';

/** Reads a small blob fully, verified against its descriptor. */
export async function readSmallBlob(source: ImageSource, desc: Descriptor, limit: number, signal?: AbortSignal): Promise<Buffer> {
  if (desc.size > limit) throw new FerryError('ERR_TOO_LARGE', `blob ${desc.digest} is ${desc.size} bytes, over the ${limit}-byte limit for in-memory reads`);
  if (desc.data !== undefined) {
    const inline = Buffer.from(desc.data, 'base64');
    if (inline.length === desc.size) return inline;
  }
  const { stream } = await source.getBlob(desc, { signal });
  const verify = new VerifyStream({ digest: desc.digest, size: desc.size }, `blob ${desc.digest} from ${source.description}`);
  const chunks: Buffer[] = [];
  // pipeline (not pipe) so a broken source rejects the loop instead of leaving it waiting
  const verified = pipeline(stream, verify, () => undefined) as Readable;
  for await (const chunk of verified) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A config blob as JSON. */
export async function readConfig(source: ImageSource, desc: Descriptor, limit: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
  return parseConfig(await readSmallBlob(source, desc, limit, signal), desc, source);
}

/** Config bytes as a JSON object, or ERR_MANIFEST_INVALID naming the config. */
export function parseConfig(bytes: Buffer, desc: Descriptor, source: ImageSource): Record<string, unknown> {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
    return doc as Record<string, unknown>;
  } catch (e) {
    throw new FerryError('ERR_MANIFEST_INVALID', `config ${desc.digest} of ${source.description} is not valid JSON: ${(e as Error).message}`);
  }
}
