import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const words = 'usr lib share bin etc python3 site-packages __init__ .py .so libc ELF import def return self None true false 0 1 2 3 404 GNU License'.split(' ');

/**
 * Deterministic bytes that compress like a layer: runs of text-ish tokens, runs of
 * incompressible noise and runs of zeros, so every zstd block type (raw, RLE,
 * compressed) and gzip's stored and Huffman blocks are exercised.
 */
export function sampleData(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  let pos = 0;
  while (pos < size) {
    const kind = rand();
    const run = Math.min(size - pos, 256 + Math.floor(rand() * 64 * 1024));
    const end = pos + run;
    if (kind < 0.6) {
      while (pos < end) pos += out.write(`${words[Math.floor(rand() * words.length)]} `, pos);
    } else if (kind < 0.85) {
      for (; pos < end; pos++) out[pos] = Math.floor(rand() * 256);
    } else {
      pos = end;
    }
  }
  return out;
}

/** Yields `data` in `chunk`-byte pieces, the way a socket or file would. */
export function chunked(data: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
    { objectMode: false },
  );
}

export async function collect(...stages: (NodeJS.ReadableStream | NodeJS.ReadWriteStream)[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await (pipeline as (...s: unknown[]) => Promise<void>)(...stages, sink);
  return Buffer.concat(parts);
}

/** Runs a real `gzip`/`zstd` CLI with `input` on stdin and returns stdout; rejects on a non-zero exit. */
export function runTool(command: string, args: readonly string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
