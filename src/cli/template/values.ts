/**
 * The Go values a template sees, modelled in JS: strings, numbers, booleans, arrays,
 * maps (plain objects), structs (GoStruct: a missing field is an error, as in Go), typed
 * nils (GoNil: a nil map prints "map[]", a nil slice "[]", a nil pointer "<nil>") and
 * times (GoTime: printed as Go's time.Time.String()).
 */

export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Record<string, unknown>,
  ) {}
}

export class GoNil {
  constructor(readonly type: 'map' | 'slice' | 'pointer') {}
}

export class GoTime {
  /** `rfc3339` as skopeo's JSON prints it (Go's RFC 3339 with nanoseconds). */
  constructor(readonly rfc3339: string) {}

  /** Go's Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST"; a fixed offset has no zone name. */
  toGoString(): string {
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|([+-])(\d\d):(\d\d))$/.exec(this.rfc3339);
    if (!m) return this.rfc3339;
    const frac = (m[3] ?? '').replace(/0+$/, '');
    const offset = m[4] === 'Z' ? '+0000' : `${m[5]}${m[6]}${m[7]}`;
    const zone = m[4] === 'Z' ? 'UTC' : offset;
    return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} ${offset} ${zone}`;
  }
}

/** A map key or field that is not there: Go prints "<no value>". */
export const NO_VALUE: unique symbol = Symbol('no value');

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoStruct) && !(v instanceof GoNil) && !(v instanceof GoTime);
}

/** Go type names for error messages. */
export function typeName(v: unknown): string {
  if (v === NO_VALUE) return 'no value';
  if (v === null || v === undefined) return 'nil';
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoNil) return `nil ${v.type}`;
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return 'slice';
  if (isMap(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Go's notion of "true" in if/with/and/or/not: false, 0, nil and empty things are false. */
export function truth(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v instanceof GoNil) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Go's %v for a float64 is %g: exponent with at least two digits ("1e+21")
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** fmt's %v, which is what an action prints. */
export function formatValue(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoTime) return v.toGoString();
  if (v instanceof GoNil) return v.type === 'map' ? 'map[]' : v.type === 'slice' ? '[]' : '<nil>';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof GoStruct) return `{${Object.values(v.fields).map(formatValue).join(' ')}}`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${formatValue(v[k])}`).join(' ')}]`;
  return String(v);
}

function toJsonShape(v: unknown): unknown {
  if (v === NO_VALUE || v === undefined || v instanceof GoNil) return null;
  if (v instanceof GoTime) return v.rfc3339;
  if (Array.isArray(v)) return v.map(toJsonShape);
  if (v instanceof GoStruct) return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, toJsonShape(x)]));
  // Go's encoding/json writes map keys sorted
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, toJsonShape(v[k])]));
  return v;
}

/** The `json` function: compact encoding/json output, without HTML escaping (as podman's report package). */
export function goJson(v: unknown): string {
  return JSON.stringify(toJsonShape(v))
    // pairs, left to right, so an escaped backslash before a "b" stays as it is
    .replace(/\\(.)/g, (pair, c: string) => (c === 'b' ? '\\u0008' : c === 'f' ? '\\u000c' : pair))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
