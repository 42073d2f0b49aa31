// The registry's access log: distribution wraps its whole router in gorilla's
// CombinedLoggingHandler writing to stdout, so every request (including 401s
// and the plain-text 404s of unknown routes) yields one Apache "combined" line.
// The JSON "response completed" lines on stderr miss some of those, so they
// are not used for counting.

export interface AccessLogEntry {
  method: string;
  /** Request URI as sent, with its query string. */
  uri: string;
  /** URI without the query string. */
  path: string;
  status: number;
  /** Response body bytes, 0 when the registry logged `-`. */
  bytes: number;
  userAgent: string;
  /** The raw line, for failure messages. */
  line: string;
}

const COMBINED = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/;

export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const match = COMBINED.exec(line.trim());
  if (!match) return undefined;
  const [, , , , method = '', uri = '', , status = '0', bytes = '-', , userAgent = ''] = match;
  const queryStart = uri.indexOf('?');
  return {
    method,
    uri,
    path: queryStart < 0 ? uri : uri.slice(0, queryStart),
    status: Number(status),
    bytes: bytes === '-' ? 0 : Number(bytes),
    userAgent,
    line: line.trim(),
  };
}

/** Request counts per method, e.g. `{ HEAD: 6, POST: 3, PUT: 4 }`. */
export function countByMethod(entries: readonly AccessLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.method] = (counts[entry.method] ?? 0) + 1;
  return counts;
}

/** Short `METHOD path status` lines, handy in assertion messages and snapshots. */
export function formatAccessLog(entries: readonly AccessLogEntry[]): string {
  return entries.map((e) => `${e.method} ${e.uri} ${e.status}`).join('\n');
}

/** Collects complete lines from a chunked stream. */
export class LineCollector {
  private pending = '';
  readonly lines: string[] = [];

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') this.lines.push(part);
  }

  tail(count: number): string {
    return [...this.lines.slice(-count), this.pending].join('\n');
  }
}
