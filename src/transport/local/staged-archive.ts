import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FerryError } from '../../errors.js';
import type { ReadOptions } from '../types.js';
import type { ExtraFile } from './tar-pack.js';
import { packDirectory } from './tar-pack.js';
import { TempFiles } from './temp-files.js';

/**
 * The folder an archive destination builds its content in before packing it. Blobs
 * arrive in parallel and in any order, which a tar stream cannot take, so they are staged
 * as files first; finish() then streams the folder into the archive (temp name, rename).
 */
export class StagedArchive {
  private readonly temps = new TempFiles();
  private done = false;

  private constructor(
    readonly target: string,
    readonly dir: string,
  ) {}

  /** Checks the archive can be written where asked before any blob is copied. */
  static async create(target: string, where: string, tmpDir?: string): Promise<StagedArchive> {
    const parent = await stat(dirname(target)).catch(() => undefined);
    if (!parent?.isDirectory()) throw new FerryError('ERR_NOT_FOUND', `${where}: directory "${dirname(target)}" does not exist`);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isDirectory()) throw new FerryError('ERR_LAYOUT', `${where}: "${target}" is a directory, expected an archive file`);
    const dir = await mkdtemp(join(tmpDir ?? tmpdir(), 'ferry-stage-'));
    return new StagedArchive(target, dir);
  }

  /** Packs the staged folder plus `extra` into the target; later calls do nothing. */
  async finish(extra: ExtraFile[], opts?: ReadOptions): Promise<void> {
    if (this.done) return;
    await packDirectory(this.dir, extra, this.target, this.temps, opts);
    this.done = true;
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Drops the staging folder and any half-written archive; an existing target stays as it was. */
  async discard(): Promise<void> {
    await this.temps.removeAll();
    await rm(this.dir, { recursive: true, force: true });
  }
}
