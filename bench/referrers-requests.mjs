#!/usr/bin/env node
// Requests per unchanged signed image: ferry vs skopeo with cosign attachments opted in
// (docs/benchmarks.md, "Attachments: requests per unchanged image").
//
//   npm run build && node bench/referrers-requests.mjs
//
// Two registries (distribution 2.8, no referrers API). Images built the way cosign,
// Notation and oras build their artifacts (test/support/attachments.ts, bundled here with
// esbuild): unsigned; with one cosign signature; with the full set (cosign sig/att/sbom,
// a Notation signature, an SBOM referrer signed in turn). Each tool copies each image
// once, then again with nothing changed; the second copy's requests at both registries
// are counted from their access logs. Counts do not depend on machine load.
// skopeo reads registries.d `use-sigstore-attachments: true` (it then copies cosign's
// `.sig` only; it knows no `.att`/`.sbom` and no OCI referrers).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startRegistry } from './registry.mjs';
import { log, need, REPO, Tools, version, FERRY_BIN } from './tools.mjs';

async function loadBuilders(dir) {
  const out = join(dir, 'attachments.mjs');
  await build({ entryPoints: [join(REPO, 'test/support/attachments.ts')], outfile: out, format: 'esm', platform: 'node', bundle: true, logLevel: 'error' });
  return import(out);
}

async function main() {
  for (const [tool, hint] of [['docker-registry', 'apt-get install -y docker-registry'], ['skopeo', ''], ['unshare', 'util-linux']]) need(tool, hint);
  if (process.getuid?.() !== 0) throw new Error("run as root: skopeo's blob-info cache is isolated with a private mount namespace");
  const home = await mkdtemp(join(tmpdir(), 'ferry-bench-referrers-'));
  const [src, dst] = await Promise.all([startRegistry('src'), startRegistry('dst')]);
  try {
    const b = await loadBuilders(home);
    const tools = new Tools(home);
    await tools.init();
    await writeFile(join(home, 'registries.d', 'sigstore.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
    const target = { url: src.url };
    log('pushing images …');
    await b.pushTinyImage(target, 'unsigned', 'v1');
    const one = await b.pushTinyImage(target, 'cosign-sig', 'v1');
    await b.pushCosignSignature(target, 'cosign-sig', one);
    const notation = await b.pushTinyImage(target, 'notation-sig', 'v1');
    await b.pushNotationSignature(target, 'notation-sig', notation);
    await b.pushSignedImage(target, 'full-set', 'v1');

    const copy = {
      ferry: (from, to) => tools.ferry(['copy', '--quiet', `docker://${from}`, `docker://${to}`], { measured: false }),
      skopeo: (from, to) => tools.skopeo(['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${from}`, `docker://${to}`], { measured: false }),
    };
    const rows = [];
    for (const image of ['unsigned', 'cosign-sig', 'notation-sig', 'full-set']) {
      const row = { image };
      for (const tool of ['ferry', 'skopeo']) {
        const from = src.ref(`${image}:v1`);
        const to = dst.ref(`${tool}/${image}:v1`);
        await copy[tool](from, to);
        const [s, d] = [await src.mark(), await dst.mark()];
        await copy[tool](from, to);
        const reqs = [...(await src.since(s)), ...(await dst.since(d))];
        const tags = (await (await fetch(`${dst.url}/v2/${tool}/${image}/tags/list`)).json()).tags ?? [];
        row[tool] = { requests: reqs.length, attachmentTags: tags.filter((t) => t.startsWith('sha256-')).length };
        log(image, tool, reqs.length, 'requests;', row[tool].attachmentTags, 'attachment tags at the destination');
      }
      rows.push(row);
    }
    const base = rows[0];
    console.log(`${version(FERRY_BIN, ['--version'])}, ${version('skopeo', ['--version'])} (registries.d: use-sigstore-attachments: true); distribution 2.8 on both sides; second copy of an unchanged image, requests at both registries (including the /v2/ ping).\n`);
    console.log('| image | ferry: requests (more than unsigned) | skopeo: requests (more than unsigned) | attachment tags at the destination: ferry / skopeo |');
    console.log('| --- | --- | --- | --- |');
    for (const r of rows) {
      const f = `${r.ferry.requests} (+${r.ferry.requests - base.ferry.requests})`;
      const k = `${r.skopeo.requests} (+${r.skopeo.requests - base.skopeo.requests})`;
      console.log(`| ${r.image} | ${f} | ${k} | ${r.ferry.attachmentTags} / ${r.skopeo.attachmentTags} |`);
    }
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
