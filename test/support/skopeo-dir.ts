// skopeo 1.9's oci: transport only sees index.json entries whose media type is
// an OCI manifest or index, so a Docker schema 2 fixture stored in an OCI
// layout is "not found" by it. Its dir: transport takes any manifest type, so
// Docker-typed fixtures are pushed through a dir: copy made here.
import { link, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBlob } from './oci-layout-writer.js';

const LIST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
]);

/**
 * Lays out the manifest `digest` of `layoutPath` (and, for a list, its
 * children) in skopeo's dir: format next to the layout; returns `dir:<path>`.
 */
export async function skopeoDirCopy(layoutPath: string, digest: string, mediaType: string): Promise<string> {
  const dir = `${layoutPath}.dir-${digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  const blobs = join(layoutPath, 'blobs', 'sha256');
  for (const hex of await readdir(blobs)) {
    await link(join(blobs, hex), join(dir, hex)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const root = await readBlob(layoutPath, digest);
  await writeFile(join(dir, 'manifest.json'), root);
  if (LIST_TYPES.has(mediaType)) {
    const list = JSON.parse(root.toString('utf8')) as { manifests: Array<{ digest: string }> };
    for (const child of list.manifests) {
      await writeFile(join(dir, `${child.digest.slice('sha256:'.length)}.manifest.json`), await readBlob(layoutPath, child.digest));
    }
  }
  return `dir:${dir}`;
}
