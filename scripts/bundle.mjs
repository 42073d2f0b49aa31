// Bundles the CLI (tsc's dist/cli.js and everything it reaches, dependencies included)
// into one CommonJS file, dist/bundle/cli.cjs, which bin/ferry loads with require (Node
// >= 22.1 keeps its compiled code in the compile cache: src/cli/startup/load-cli.ts). One
// file instead of ~120 ESM modules and ~230 CommonJS files of dependencies:
// docs/decisions.md, "Start-up". Runs after tsc in `npm run build` and `prepack`;
// dist/*.js stay as they are for the library entry point, the tests and the benches.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'bundle', 'cli.cjs');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The CLI's HTTP client imports these from undici's public entry point; the bundle swaps
// in scripts/undici-trimmed.cjs, which provides just them (docs/decisions.md, "Start-up").
const trimmedUndici = join(root, 'scripts', 'undici-trimmed.cjs');
const undiciModule = join(root, 'dist', 'http', 'undici.js');
const undiciImports = ['EnvHttpProxyAgent', 'request'];
const trimUndici = {
  name: 'trim-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => {
      if (args.importer !== undiciModule) return undefined;
      // the shim has exactly these; an import added to src/http/undici.ts must be added there
      const line = /import\s*\{([^}]*)\}\s*from\s*'undici'/.exec(readFileSync(undiciModule, 'utf8'))?.[1] ?? '';
      const names = line.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean).sort();
      if (names.join() !== undiciImports.join()) {
        throw new Error(`src/http/undici.ts imports {${names.join(', ')}} from undici; scripts/undici-trimmed.cjs provides {${undiciImports.join(', ')}}`);
      }
      return { path: trimmedUndici };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile,
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // native add-ons: loaded from node_modules at run time, by path, in worker threads too.
  // The archive decoders load only for compressed archives; seek-bzip must stay in
  // node_modules, where Node does not print its Buffer() deprecation warning (DEP0005).
  external: ['zstd-napi', 'seek-bzip', 'xz-decompress'],
  // CommonJS has no import.meta; the add-on loaders resolve their files from here.
  // The version is fixed at build time (src/cli/version.ts).
  define: { 'import.meta.url': '__ferryBundleUrl', __FERRY_VERSION__: JSON.stringify(version) },
  banner: { js: "const __ferryBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // tsc's maps lead on to src/: a --debug stack trace names src/*.ts lines (only --debug
  // turns source maps on at run time). Positions only: the sources are not shipped.
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [trimUndici],
  logLevel: 'warning',
});

mkdirSync(dirname(outfile), { recursive: true });
for (const file of result.outputFiles) {
  if (!file.path.endsWith('.cjs')) {
    writeFileSync(file.path, file.contents);
    continue;
  }
  // esbuild escapes non-ASCII in code but not in comments, and one comment character above
  // U+00FF makes V8 hold the whole 1.3 MB source as a two-byte string: escaped, the source
  // stays one byte per character (-2.5 MB peak RSS, ~5 ms less start-up, measured).
  const text = file.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(file.path, text);
}
