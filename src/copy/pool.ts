/**
 * Runs tasks with at most `limit` in flight. The first failure stops new tasks from
 * starting, lets running ones settle, and is rethrown.
 */
export async function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  return runLanes([items], limit, task);
}

/**
 * runPool over several lists side by side, each with its own `limit` places and one
 * failure for all: the first stops every lane from starting more.
 */
export async function runLanes<T>(lanes: readonly (readonly T[])[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | undefined;
  const workers = lanes.flatMap((items) => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!failure && next < items.length) {
        const item = items[next++]!;
        try {
          await task(item);
        } catch (e) {
          failure ??= { error: e };
        }
      }
    };
    return items.length === 0 ? [] : Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}

/** A counting semaphore: `run` waits for one of `limit` places. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
