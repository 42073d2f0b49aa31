#!/usr/bin/env node
// Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from bench/copy-cpu.mjs --profile):
// self time by function and by source (undici, node internals, ferry, GC, idle), and
// inclusive time of the frames named with --frame, averaged over the profiles given.
//
//   node bench/profile-summary.mjs [--top 40] [--frame NAME ...] FILE.cpuprofile ...
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let top = 40;
const frames = [];
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--frame') frames.push(args[++i]);
  else files.push(args[i]);
}

function sourceOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.includes('undici')) return 'undici';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  if (url.includes('/dist/') || url.includes('/bin/ferry')) return 'ferry';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

const selfByFn = new Map();
const selfBySource = new Map();
const inclusive = new Map(frames.map((f) => [f, 0]));
let total = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  for (const [id, us] of dt) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${sourceOf(cf.url, cf.functionName)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
    const src = sourceOf(cf.url, cf.functionName);
    selfBySource.set(src, (selfBySource.get(src) ?? 0) + us);
    if (cf.functionName !== '(idle)') total += us;
    // inclusive: count once per sample for each named frame on the stack
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const name = nodes.get(cur).callFrame.functionName;
      for (const f of frames) if (name === f && !seen.has(f)) (seen.add(f), inclusive.set(f, inclusive.get(f) + us));
    }
  }
}
const ms = (us) => (us / 1000 / files.length).toFixed(1).padStart(8);
console.log(`${files.length} profile(s); busy (not idle) ${ms(total)} ms per profile\n`);
console.log('self time by source, ms per profile:');
for (const [k, v] of [...selfBySource].sort((a, b) => b[1] - a[1])) console.log(`${ms(v)}  ${k}`);
console.log(`\nself time by function, top ${top}, ms per profile:`);
for (const [k, v] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)}  ${k}`);
if (frames.length) {
  console.log('\ninclusive time, ms per profile:');
  for (const [k, v] of inclusive) console.log(`${ms(v)}  ${k}`);
}
