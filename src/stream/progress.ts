/**
 * A running byte count reported at most every `intervalMs` (and once at the end), so a
 * progress sink is not called per 16 KiB chunk. VerifyStream counts into one, so that
 * progress costs no stream stage of its own.
 */
export class ProgressCounter {
  private bytes = 0;
  private last = 0;
  constructor(
    private readonly report: (bytes: number) => void,
    private readonly intervalMs = 100,
  ) {}

  add(n: number): void {
    this.bytes += n;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.report(this.bytes);
    }
  }

  end(): void {
    this.report(this.bytes);
  }
}
