import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every 50 ms until it holds; fails naming `what` after 30 s (a hang, not a slow machine). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}
