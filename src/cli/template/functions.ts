import { formatValue, GoNil, goJson, isMap, truth, typeName } from './values.js';

/** A template function: arguments already evaluated; `fail` raises a positioned error. */
export type TemplateFunction = (args: unknown[], fail: (problem: string) => never) => unknown;

function arity(name: string, args: unknown[], n: number, fail: (p: string) => never): void {
  if (args.length !== n) fail(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function str(name: string, v: unknown, fail: (p: string) => never): string {
  if (typeof v !== 'string') fail(`${name} wants a string, got ${typeName(v)}`);
  return v;
}

function int(name: string, v: unknown, fail: (p: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${name} wants an integer, got ${typeName(v)}`);
  return v;
}

function length(v: unknown, fail: (p: string) => never): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoNil) return 0;
  if (isMap(v)) return Object.keys(v).length;
  return fail(`len of type ${typeName(v)}`);
}

function indexOne(v: unknown, key: unknown, fail: (p: string) => never): unknown {
  if (v instanceof GoNil) return v.type === 'map' ? '' : fail(`index of nil ${v.type}`);
  if (Array.isArray(v) || typeof v === 'string') {
    const i = int('index', key, fail);
    const len = Array.isArray(v) ? v.length : Buffer.byteLength(v);
    if (i < 0 || i >= len) fail(`index out of range: ${i}`);
    return Array.isArray(v) ? v[i] : Buffer.from(v)[i];
  }
  if (isMap(v)) {
    // a missing key gives the zero value of the map's values (strings, in skopeo's output)
    return Object.hasOwn(v, str('index', key, fail)) ? v[key as string] : '';
  }
  return fail(`can't index item of type ${typeName(v)}`);
}

function compare(name: string, a: unknown, b: unknown, fail: (p: string) => never): number {
  const kind = (v: unknown) => (typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'other');
  if (kind(a) === 'other' || kind(b) === 'other') fail(`${name}: invalid type for comparison (${typeName(a)}, ${typeName(b)})`);
  if (kind(a) !== kind(b)) fail(`${name}: incompatible types for comparison (${typeName(a)}, ${typeName(b)})`);
  if (kind(a) === 'bool' && name !== 'eq' && name !== 'ne') fail(`${name}: invalid type for comparison (bool)`);
  return a === b ? 0 : (a as number | string) < (b as number | string) ? -1 : 1;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs people use in --format: %s %v %d %q %t %x %%, with width and "-" / "0". */
function sprintf(format: string, args: unknown[], fail: (p: string) => never): string {
  let n = 0;
  return format.replace(/%([-0]*)(\d*)([svdqtx%])/g, (_m, flags: string, width: string, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    if (verb === 'd') s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeName(a)}=${formatValue(a)})`;
    else if (verb === 'q') s = JSON.stringify(formatValue(a));
    else if (verb === 'x') s = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(formatValue(a)).toString('hex');
    else if (verb === 't' && typeof a !== 'boolean') s = `%!t(${typeName(a)}=${formatValue(a)})`;
    else s = formatValue(a);
    const w = Number(width || 0);
    if (s.length >= w) return s;
    if (flags.includes('-')) return s.padEnd(w);
    return s.padStart(w, flags.includes('0') && verb === 'd' ? '0' : ' ');
  }).concat(n < args.length ? `%!(EXTRA ${args.slice(n).map((a) => `${typeName(a)}=${formatValue(a)}`).join(', ')})` : '');
}

/** Go's builtins plus the functions podman's report package (used by skopeo inspect) adds. */
export const FUNCTIONS: Record<string, TemplateFunction> = {
  and: (args, fail) => (args.length ? (args.find((a) => !truth(a)) ?? args[args.length - 1]) : fail('and needs at least one argument')),
  or: (args, fail) => (args.length ? (args.find((a) => truth(a)) ?? args[args.length - 1]) : fail('or needs at least one argument')),
  not: (args, fail) => (arity('not', args, 1, fail), !truth(args[0])),
  len: (args, fail) => (arity('len', args, 1, fail), length(args[0], fail)),
  index: (args, fail) => {
    if (args.length < 2) fail('index needs a collection and at least one key');
    return args.slice(1).reduce((v, k) => indexOne(v, k, fail), args[0]);
  },
  eq: (args, fail) => {
    if (args.length < 2) fail('eq needs at least two arguments');
    return args.slice(1).some((b) => compare('eq', args[0], b, fail) === 0);
  },
  ne: (args, fail) => (arity('ne', args, 2, fail), compare('ne', args[0], args[1], fail) !== 0),
  lt: (args, fail) => (arity('lt', args, 2, fail), compare('lt', args[0], args[1], fail) < 0),
  le: (args, fail) => (arity('le', args, 2, fail), compare('le', args[0], args[1], fail) <= 0),
  gt: (args, fail) => (arity('gt', args, 2, fail), compare('gt', args[0], args[1], fail) > 0),
  ge: (args, fail) => (arity('ge', args, 2, fail), compare('ge', args[0], args[1], fail) >= 0),
  print: (args) => sprint(args),
  println: (args) => `${args.map(formatValue).join(' ')}\n`,
  printf: (args, fail) => (args.length ? sprintf(str('printf', args[0], fail), args.slice(1), fail) : fail('printf needs a format')),
  json: (args, fail) => (arity('json', args, 1, fail), goJson(args[0])),
  join: (args, fail) => {
    arity('join', args, 2, fail);
    const list: unknown = args[0] instanceof GoNil ? [] : args[0];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return fail(`join wants a list of strings, got ${typeName(args[0])}`);
    return (list as string[]).join(str('join', args[1], fail));
  },
  split: (args, fail) => (arity('split', args, 2, fail), str('split', args[0], fail).split(str('split', args[1], fail))),
  lower: (args, fail) => (arity('lower', args, 1, fail), str('lower', args[0], fail).toLowerCase()),
  upper: (args, fail) => (arity('upper', args, 1, fail), str('upper', args[0], fail).toUpperCase()),
  title: (args, fail) => (arity('title', args, 1, fail), str('title', args[0], fail).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase())),
  truncate: (args, fail) => {
    arity('truncate', args, 2, fail);
    return str('truncate', args[0], fail).slice(0, Math.max(0, int('truncate', args[1], fail)));
  },
  pad: (args, fail) => {
    arity('pad', args, 3, fail);
    const s = str('pad', args[0], fail);
    return s === '' ? s : ' '.repeat(int('pad', args[1], fail)) + s + ' '.repeat(int('pad', args[2], fail));
  },
};
