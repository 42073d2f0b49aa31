// Runs before every test file (vitest setupFiles): the blob-location cache of every
// ferry run in the file, library calls and spawned CLIs alike (hermeticEnv copies
// process.env), goes to a directory of this file's own under the run's scratch root,
// never to the real ~/.cache/ferry, and never to another file's (a shared cache would
// turn one file's copies into another's mounts and change its request counts).
import { BLOB_CACHE_ENV, scratchDirSync } from './scratch.js';

process.env[BLOB_CACHE_ENV] = scratchDirSync('blob-cache');
delete process.env.XDG_CACHE_HOME;
