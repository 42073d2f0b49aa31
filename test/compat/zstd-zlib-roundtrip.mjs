// Exercises the node:zlib zstd backend, which only exists on Node >= 22.15, against
// the built dist/ and the real `zstd` CLI. Run by scripts/test-zstd-zlib.sh under a
// newer Node (CI's own Node 20 covers the zstd-napi backend in the unit tests).
// Exit status: 0 all checks passed, 1 a check failed, 2 wrong runtime or setup.
import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const dist = new URL('../../dist/compression/', import.meta.url);
const { getCodec } = await import(new URL('codec.js', dist).href);
const { parallelCompress } = await import(new URL('parallel.js', dist).href);
const { detectCompression } = await import(new URL('detect.js', dist).href);
const { availableZstdBackends } = await import(new URL('zstd-backend.js', dist).href);

if (process.env.FERRY_ZSTD_BACKEND !== 'zlib') {
  console.error('run with FERRY_ZSTD_BACKEND=zlib');
  process.exit(2);
}
let codec;
try {
  codec = getCodec('zstd');
} catch (err) {
  console.error(`node ${process.versions.node}: ${err.message}`);
  process.exit(2);
}

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failures++;
    console.log(`FAIL ${name}: ${err.stack ?? err}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Compressible but not trivial: text tokens, noise and zero runs. */
function sample(size, seed) {
  const out = Buffer.alloc(size);
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 0x100000000);
  for (let i = 0; i < size; ) {
    const run = Math.min(size - i, 200 + Math.floor(rand() * 40000));
    const kind = rand();
    for (let j = 0; j < run; j++, i++) out[i] = kind < 0.6 ? 97 + ((i * 7) % 23) : kind < 0.85 ? Math.floor(rand() * 256) : 0;
  }
  return out;
}
function chunked(data, size) {
  return Readable.from((function* () { for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size); })(), { objectMode: false });
}
async function collect(...stages) {
  const parts = [];
  await pipeline(...stages, new Writable({ write(c, _e, cb) { parts.push(c); cb(); } }));
  return Buffer.concat(parts);
}
function zstdCli(args, input) {
  const r = spawnSync('zstd', args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const data = sample(6 * 1024 * 1024 + 999, 42);
console.log(`node ${process.versions.node}, zstd ${process.versions.zstd}, backend ${codec.backend}, available: ${availableZstdBackends().join(', ')}`);

await check('the selected backend is node:zlib', () => assert(codec.backend === 'zlib', `got ${codec.backend}`));

for (const level of [1, 3, 19]) {
  await check(`stream round trip at level ${level}, zstd -d agrees`, async () => {
    const input = level === 19 ? data.subarray(0, 1 << 20) : data;
    const z = await collect(chunked(input, 65536), codec.compress(level));
    assert((await collect(chunked(z, 10000), codec.decompress())).equals(input), 'our decode differs');
    assert(zstdCli(['-d', '-c'], z).equals(input), 'zstd -d output differs');
  });
}

await check('parallelCompress: frames in order, zstd -d and our decoder agree', async () => {
  const z = await collect(chunked(data, 100000), parallelCompress('zstd', 3, { blockSize: 512 * 1024, workers: 2 }));
  const { format, stream } = await detectCompression(chunked(z, 3));
  assert(format === 'zstd', `detected ${format}`);
  assert((await collect(stream, codec.decompress())).equals(data), 'our decode differs');
  assert(zstdCli(['-d', '-c'], z).equals(data), 'zstd -d output differs');
});

await check('decodes many frames arriving in one write, skippable frames included (nodejs/node#64741)', async () => {
  const skip = Buffer.alloc(12);
  skip.writeUInt32LE(0x184d2a5e, 0);
  skip.writeUInt32LE(4, 4);
  const parts = [0, 1, 2, 3].map((i) => data.subarray(i * 100000, (i + 1) * 100000));
  const joined = Buffer.concat([skip, ...parts.flatMap((p) => [zstdCli(['-c', '-q'], p), skip])]);
  assert((await collect(Readable.from([joined]), codec.decompress())).equals(Buffer.concat(parts)), 'frames were lost');
});

await check('corrupt and truncated input fail with ERR_COMPRESSION', async () => {
  const z = zstdCli(['-c', '-q'], data.subarray(0, 500000));
  const corrupt = Buffer.from(z);
  for (let i = 50; i < 300; i++) corrupt[i] ^= 0x5a;
  for (const bad of [corrupt, z.subarray(0, z.length - 5), z.subarray(0, z.length >> 1)]) {
    const err = await collect(Readable.from([bad]), codec.decompress()).then(() => undefined, (e) => e);
    assert(err?.code === 'ERR_COMPRESSION', `got ${err ? `${err.code}: ${err.message}` : 'no error'}`);
  }
});

if (availableZstdBackends().includes('napi')) {
  await check('zstd-napi and node:zlib decode each other', async () => {
    const napi = getCodec('zstd', { zstdBackend: 'napi' });
    const fromZlib = await collect(chunked(data, 65536), parallelCompress('zstd', 3, { blockSize: 1 << 20 }));
    const fromNapi = await collect(chunked(data, 65536), parallelCompress('zstd', 3, { blockSize: 1 << 20, zstdBackend: 'napi' }));
    assert((await collect(Readable.from([fromZlib]), napi.decompress())).equals(data), 'napi cannot decode zlib output');
    assert((await collect(Readable.from([fromNapi]), codec.decompress())).equals(data), 'zlib cannot decode napi output');
  });
}

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
