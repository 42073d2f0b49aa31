import { describe, expect, it } from 'vitest';
import { compactRecords, latestRecords } from '../../../src/blob-cache/compact.js';
import { parseLog, parseRecord, serializeRecord, type CacheRecord } from '../../../src/blob-cache/records.js';

const d = (n: number): `sha256:${string}` => `sha256:${n.toString(16).padStart(64, '0')}`;
const loc = (digest: number, repository: string, seen: number): CacheRecord => ({ kind: 'location', digest: d(digest), registry: 'reg.example:5000', repository, seen });

describe('blob-cache records', () => {
  it('round-trips locations and variants', () => {
    const records: CacheRecord[] = [
      loc(1, 'team/app', 1_700_000_000_000),
      { kind: 'location', digest: d(2), registry: 'docker.io', repository: 'library/alpine', seen: 1_700_000_000_001 },
      { kind: 'variant', uncompressed: d(3), digest: d(4), size: 1234, compression: 'zstd', level: 'default', seen: 1_700_000_000_002 },
      { kind: 'variant', uncompressed: d(3), digest: d(5), size: 99, compression: 'gzip', level: 'unknown', seen: 1_700_000_000_003 },
      { kind: 'variant', uncompressed: d(3), digest: d(6), size: 98, compression: 'zstd', level: 19, seen: 1_700_000_000_004 },
    ];
    expect(parseLog(records.map(serializeRecord).join('\n'))).toEqual(records);
  });

  it('drops every line that is not exactly a record, keeping the rest', () => {
    const good = serializeRecord(loc(1, 'app', 1_700_000_000_000));
    const bad = [
      good.slice(0, 40), // cut short by a crash
      'not json',
      '[]',
      'null',
      good.replace('"f":1', '"f":2'), // a later format
      good.replace(d(1), 'sha256:xyz'),
      good.replace('"app"', '"App"'), // not a repository name
      good.replace('"reg.example:5000"', '"reg example"'),
      good.replace('"app"', '"app:tag"'),
      good.replace('1700000000000', '-5'),
      serializeRecord({ kind: 'variant', uncompressed: d(3), digest: d(4), size: 1, compression: 'zstd', level: 'default', seen: 1 }).replace('"zstd"', '"xz"'),
      serializeRecord({ kind: 'variant', uncompressed: d(3), digest: d(4), size: 1, compression: 'zstd', level: 'default', seen: 1 }).replace('"default"', '99'),
      '\u0000\u0000\u0000',
    ];
    for (const line of bad) expect(parseRecord(line), line).toBeUndefined();
    expect(parseLog([...bad, good, ''].join('\n'))).toEqual([loc(1, 'app', 1_700_000_000_000)]);
  });

  it('compaction keeps the newest record per key, drops old ones, and caps repositories per blob', () => {
    const now = 1_800_000_000_000;
    const day = 24 * 3600 * 1000;
    const records: CacheRecord[] = [
      loc(1, 'a', now - 5 * day),
      loc(1, 'a', now - 1 * day),
      loc(2, 'gone', now - 400 * day),
      ...Array.from({ length: 30 }, (_, i) => loc(7, `r${i}`, now - day + i)),
    ];
    const latest = latestRecords(records, now);
    expect(latest.filter((r) => r.kind === 'location' && r.digest === d(1))).toEqual([loc(1, 'a', now - day)]);
    expect(latest.some((r) => r.kind === 'location' && r.repository === 'gone')).toBe(false);
    const kept = parseLog(compactRecords(records, now).join('\n'));
    const ofSeven = kept.filter((r) => r.kind === 'location' && r.digest === d(7)).map((r) => (r as { repository: string }).repository);
    expect(ofSeven).toHaveLength(16);
    // the most recently seen ones stay
    expect(ofSeven).toContain('r29');
    expect(ofSeven).not.toContain('r0');
    // oldest first: a reader of the log's tail keeps the newest
    expect(kept.map((r) => r.seen)).toEqual([...kept.map((r) => r.seen)].sort((a, b) => a - b));
  });

  it('compaction fits a byte budget by dropping the least recently seen', () => {
    const now = 1_800_000_000_000;
    const records = Array.from({ length: 100 }, (_, i) => loc(i, 'repo', now - 1000 + i));
    const lines = compactRecords(records, now, 20 * 140);
    expect(lines.reduce((a, l) => a + l.length + 1, 0)).toBeLessThanOrEqual(20 * 140);
    const kept = parseLog(lines.join('\n'));
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.at(-1)).toEqual(loc(99, 'repo', now - 901));
    expect(kept.every((r) => r.seen >= now - 900 - kept.length)).toBe(true);
  });
});
