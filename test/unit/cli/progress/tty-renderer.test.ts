import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ttyRenderer } from '../../../../src/cli/progress/tty-renderer.js';

/** A terminal 80 columns wide that keeps what was drawn, escape sequences removed. */
function fakeTerminal() {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    { isTTY: true, columns: 80, rows: 24, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true },
  );
  const lines = () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/[\r\n]+/).filter((l) => l.trim() !== '');
  return { stream, lines };
}

describe('terminal progress bars', () => {
  it('draw a bar per blob with its sizes and an overall bar, no raw template tokens', () => {
    const term = fakeTerminal();
    const r = ttyRenderer(term.stream);
    const a = 'sha256:' + 'a'.repeat(64);
    const b = 'sha256:' + 'b'.repeat(64);
    r.sink({ type: 'blob-start', digest: a, size: 2048, mediaType: 'x' });
    r.sink({ type: 'blob-start', digest: b, size: 1024, mediaType: 'x' });
    r.sink({ type: 'blob-progress', digest: a, bytes: 1024, size: 2048 });
    r.sink({ type: 'blob-done', digest: a, size: 2048 });
    r.sink({ type: 'blob-done', digest: b, size: 1024 });
    r.stop();
    const drawn = term.lines();
    expect(drawn.join('\n')).not.toMatch(/\{\w+\}/);
    const last = (prefix: string) => drawn.filter((l) => l.trimStart().startsWith(prefix)).at(-1) ?? '';
    expect(last('sha256:aaaaaaaaaaaa')).toContain('100% | 2.0 KB/2.0 KB');
    expect(last('sha256:bbbbbbbbbbbb')).toContain('100% | 1.0 KB/1.0 KB');
    expect(last('total')).toContain('100% | 3.1 KB/3.1 KB');
    for (const l of drawn) expect(l.length).toBeLessThanOrEqual(80);
  });
});
