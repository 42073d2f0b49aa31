// Start-up of one ferry command, hyperfine-style: each variant runs once per round,
// rounds alternate the order, and the table gives the median wall time and the median
// user+sys CPU of the child (bash's `time`).
//
//   node bench/startup-bench.mjs [--runs 20] [--warmup 2] NAME=NODE_BINARY[,FERRY_BIN[,VAR=VALUE...]] ... -- ferry-args...
//
// A variant runs `NODE_BINARY FERRY_BIN ferry-args...` (FERRY_BIN defaults to this
// checkout's bin/ferry; empty means the default) with the extra environment given, from
// the repository root, so relative paths in the arguments (fixtures/...) mean the same for
// every variant. Warm-up runs fill the code caches first.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** 'NAME=SPEC' or 'VAR=VALUE' at the first '=' (a value may hold more). */
const splitOnce = (s) => (s.includes('=') ? [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] : [s, '']);
let runs = 20;
let warmup = 2;
const variants = [];
let i = 0;
for (; i < args.length && args[i] !== '--'; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--warmup') warmup = Number(args[++i]);
  else {
    const [name, spec] = splitOnce(args[i]);
    const [bin, ferry, ...vars] = spec.split(',');
    const env = { ...process.env, ...Object.fromEntries(vars.map(splitOnce)) };
    variants.push({ name, bin, ferry: ferry || join(root, 'bin', 'ferry'), env, wall: [], cpu: [] });
  }
}
const ferryArgs = args.slice(i + 1);

// bash's `time` reports the child's CPU; /usr/bin/time may be missing.
function once({ bin, ferry, env }) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/env', ['bash', '-c', 'TIMEFORMAT=%U+%S; time "$@" >/dev/null 2>&1', 'x', bin, ferry, ...ferryArgs], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const [u, s] = r.stderr.trim().split('\n').pop().split('+').map(Number);
  return { wall, cpu: (u + s) * 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const v of variants) for (let w = 0; w < warmup; w++) once(v);
for (let round = 0; round < runs; round++) {
  const order = round % 2 ? [...variants].reverse() : variants;
  for (const v of order) {
    const { wall, cpu } = once(v);
    v.wall.push(wall);
    v.cpu.push(cpu);
  }
}
console.log(`| variant | median wall ms | median user+sys ms |\n| --- | ---: | ---: |`);
for (const v of variants) console.log(`| ${v.name} | ${median(v.wall).toFixed(0)} | ${median(v.cpu).toFixed(0)} |`);
