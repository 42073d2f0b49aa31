// Bundles the CLI (tsc's dist/cli.js and everything it reaches, dependencies included)
// into one CommonJS file, dist/bundle/cli.cjs, which bin/ferry loads with require (Node
// >= 22.1 keeps its compiled code in the compile cache: src/cli/startup/load-cli.ts). One
// file instead of ~120 ESM modules and ~230 CommonJS files of dependencies:
// docs/decisions.md, "Start-up". Runs after tsc in `npm run build` and `prepack`;
// dist/*.js stay as they are for the library entry point, the tests and the benches.
//
// Dependencies only some commands need (the proxy client, YAML, semver, tar, progress
// bars) are bundled on their own into dist/bundle/vendor/, and cli.cjs gets a stand-in
// for each that requires the file on first use: V8 reads and pre-parses every byte of
// cli.cjs at start-up, and those were half of its 1.7 MB (docs/decisions.md, "Start-up").
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'bundle', 'cli.cjs');
const vendorDir = join(root, 'dist', 'bundle', 'vendor');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));

// The CLI's HTTP client imports these from undici's public entry point; the bundle swaps
// in scripts/undici-trimmed.cjs, which provides just them (docs/decisions.md, "Start-up").
const trimmedUndici = join(root, 'scripts', 'undici-trimmed.cjs');
const undiciModule = join(root, 'dist', 'http', 'undici.js');
const undiciImports = ['EnvHttpProxyAgent', 'request'];

/** Package name → the file its vendor bundle is made from. */
const lazyVendors = {
  undici: trimmedUndici,
  yaml: requireFromRoot.resolve('yaml'),
  semver: requireFromRoot.resolve('semver'),
  'tar-stream': requireFromRoot.resolve('tar-stream'),
  'cli-progress': requireFromRoot.resolve('cli-progress'),
};

function checkUndiciImports() {
  // the shim has exactly these; an import added to src/http/undici.ts must be added there
  const line = /import\s*\{([^}]*)\}\s*from\s*'undici'/.exec(readFileSync(undiciModule, 'utf8'))?.[1] ?? '';
  const names = line.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean).sort();
  if (names.join() !== undiciImports.join()) {
    throw new Error(`src/http/undici.ts imports {${names.join(', ')}} from undici; scripts/undici-trimmed.cjs provides {${undiciImports.join(', ')}}`);
  }
}

/**
 * A stand-in: an object with a module's export names (read from the module at build
 * time) as getters that load the module on first use (`load`: an expression). esbuild's
 * import helpers copy such getters as getters, so nothing loads before a command needs it.
 */
function standInFor(real, label, load) {
  // a module that is itself a function or class cannot be stood in for by an object
  if (typeof real !== 'object' || real === null) throw new Error(`${label} exports a ${typeof real}, not an object: it cannot be loaded lazily`);
  const names = Object.keys(real).filter((k) => k !== '__esModule');
  return `'use strict';
let loaded;
const load = () => (loaded ??= ${load});
${real.__esModule ? "Object.defineProperty(exports, '__esModule', { value: true });\n" : ''}for (const name of ${JSON.stringify(names)}) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
}
`;
}

/** A vendor package's stand-in: requires its own bundle in dist/bundle/vendor/. */
const standIn = (name) =>
  standInFor(requireFromRoot(lazyVendors[name]), name, `require(require('node:path').join(__dirname, 'vendor', ${JSON.stringify(`${name}.cjs`)}))`);

/**
 * Node built-ins that cost start-up time and that only some commands use: crypto (~3 ms;
 * hashing starts after the first request is out), zlib (~2 ms), worker_threads, and
 * child_process (commander requires it for executable subcommands, which ferry has none
 * of). Their stand-ins look the module up on first use: docs/decisions.md, "Start-up".
 * The export names are the building Node's; ferry's named imports are checked by tsc
 * against @types/node 20, so each is there in any Node that can build it.
 */
const lazyBuiltins = /^(?:node:)?(crypto|zlib|worker_threads|child_process)$/;
const lazyBuiltin = {
  name: 'lazy-builtin',
  setup(b) {
    b.onResolve({ filter: lazyBuiltins }, (args) => ({ path: lazyBuiltins.exec(args.path)[1], namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: standInFor(process.getBuiltinModule(`node:${args.path}`), `node:${args.path}`, `process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)})`),
      loader: 'js',
    }));
  },
};

const lazyVendor = {
  name: 'lazy-vendor',
  setup(b) {
    b.onResolve({ filter: /^(undici|yaml|semver|tar-stream|cli-progress)$/ }, (args) => {
      if (args.path === 'undici') {
        // only the CLI's proxy client is swapped; anything else importing undici is a mistake here
        if (args.importer !== undiciModule) throw new Error(`${args.importer} imports undici; only src/http/undici.ts may`);
        checkUndiciImports();
      }
      return { path: args.path, namespace: 'lazy-vendor' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-vendor' }, (args) => ({ contents: standIn(args.path), loader: 'js', resolveDir: root }));
  },
};

const common = {
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};

const vendors = await Promise.all(
  Object.entries(lazyVendors).map(([name, entry]) => build({ ...common, entryPoints: [entry], outfile: join(vendorDir, `${name}.cjs`), sourcemap: false })),
);

const result = await build({
  ...common,
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile,
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
  plugins: [lazyVendor, lazyBuiltin],
  // the stand-ins require their vendor file by a path computed at run time, on purpose
  logOverride: { 'unsupported-require-call': 'silent' },
});

mkdirSync(vendorDir, { recursive: true });
for (const file of [...result.outputFiles, ...vendors.flatMap((v) => v.outputFiles)]) {
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
