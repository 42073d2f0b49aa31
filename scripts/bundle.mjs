// Bundles the CLI (tsc's dist/cli.js and everything it reaches, dependencies included)
// into one CommonJS file, dist/bundle/cli.cjs, which bin/ferry compiles with a V8 code
// cache (src/cli/startup/). One file instead of ~120 ESM modules and ~230 CommonJS files of
// dependencies, and a format vm.Script can cache: docs/decisions.md, "Start-up".
// Runs after tsc in `npm run build`; dist/*.js stay as they are for the library entry
// point, the tests and the benches that import single modules.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'bundle', 'cli.cjs');

const result = await build({
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile,
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // a native add-on: loaded from node_modules at run time, by path, in worker threads too.
  // The archive decoders load only for compressed archives; seek-bzip must stay in
  // node_modules, where Node does not print its Buffer() deprecation warning (DEP0005).
  external: ['zstd-napi', 'seek-bzip', 'xz-decompress'],
  // CommonJS has no import.meta; the zstd-napi loader resolves its binding from here
  define: { 'import.meta.url': '__ferryBundleUrl' },
  banner: { js: "const __ferryBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  metafile: true,
});

// bin/ferry runs the bundle through vm.Script, which has no loader for a dynamic import()
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  const dynamic = out.imports.filter((i) => i.kind === 'dynamic-import');
  if (dynamic.length > 0) throw new Error(`${file} keeps dynamic imports (${dynamic.map((i) => i.path).join(', ')}): bundle them or load them with require`);
}

// The code cache must never outlive the code it was made for, and mtimes and inodes do not
// say so reliably (npm packs every file with the same mtime): the bundle names its own
// content, and src/cli/startup/code-cache.ts keys caches on it.
const [output] = result.outputFiles;
// esbuild escapes non-ASCII in code but not in comments, and one comment character above
// U+00FF makes V8 hold the whole 1.3 MB source as a two-byte string: escaped, the source
// stays one byte per character (-2.5 MB peak RSS, ~5 ms less start-up, measured).
const text = output.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, `${text}//# ferryBuildId=${id}\n`);
