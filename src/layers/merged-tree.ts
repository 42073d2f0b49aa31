import { baseName, type LayerEntry } from './entry.js';

/** A path of the merged filesystem: the entry that put it there (none for implied parents). */
export interface TreeNode {
  entry: LayerEntry | undefined;
  /** Layer the entry came from (-1 for implied parents). */
  layer: number;
  children: Map<string, TreeNode> | undefined;
}

/**
 * The image's filesystem as the layers stack up: whiteouts and opaque directories
 * remove lower content, later entries replace earlier ones (within a layer too), and
 * every byte that disappears is charged, as waste, to the layer that added it.
 */
export class MergedTree {
  readonly root: TreeNode = { entry: undefined, layer: -1, children: new Map() };
  /** Bytes each layer added that are no longer visible. */
  readonly wasted: number[] = [];
  /** The largest file each layer lost, for messages. */
  readonly largestWaste: ({ path: string; size: number } | undefined)[] = [];

  /** Stacks one layer's entries (in archive order) on top. */
  apply(layer: number, entries: readonly LayerEntry[]): void {
    while (this.wasted.length <= layer) this.wasted.push(0);
    // whiteouts act on lower layers only, wherever they sit in the archive
    for (const e of entries) {
      if (e.whiteout?.kind === 'path') this.remove(e.whiteout.target);
      else if (e.whiteout?.kind === 'opaque') this.empty(e.whiteout.target);
    }
    for (const e of entries) if (!e.whiteout) this.insert(layer, e);
  }

  /** The node at `path` ('' is the root), if present. */
  find(path: string): TreeNode | undefined {
    let node = this.root;
    if (path === '') return node;
    for (const part of path.split('/')) {
      const next = node.children?.get(part);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /** Every node below `node`, depth first, children in byte order of their names. */
  *walk(node: TreeNode = this.root, prefix = ''): Generator<[string, TreeNode]> {
    if (!node.children) return;
    for (const name of [...node.children.keys()].sort(compareNames)) {
      const child = node.children.get(name)!;
      const path = prefix ? `${prefix}/${name}` : name;
      yield [path, child];
      yield* this.walk(child, path);
    }
  }

  private insert(layer: number, e: LayerEntry): void {
    const parts = e.path.split('/');
    let node = this.root;
    for (const part of parts.slice(0, -1)) {
      let next = node.children!.get(part);
      if (!next || !next.children) {
        // a parent that is missing, or was a file or symlink, becomes a directory
        if (next) this.charge(next);
        next = { entry: undefined, layer: -1, children: new Map() };
        node.children!.set(part, next);
      }
      node = next;
    }
    const name = parts[parts.length - 1]!;
    const existing = node.children!.get(name);
    if (existing && existing.children && e.type === 'directory') {
      // a directory entry over a directory changes its metadata and keeps its content
      existing.entry = e;
      existing.layer = layer;
      return;
    }
    if (existing) this.charge(existing);
    node.children!.set(name, { entry: e, layer, children: e.type === 'directory' ? new Map() : undefined });
  }

  private remove(path: string): void {
    const slash = path.lastIndexOf('/');
    const parent = this.find(slash < 0 ? '' : path.slice(0, slash));
    const node = parent?.children?.get(baseName(path));
    if (!parent || !node) return;
    this.charge(node);
    parent.children!.delete(baseName(path));
  }

  private empty(path: string): void {
    const dir = this.find(path);
    if (!dir?.children) return;
    for (const child of dir.children.values()) this.charge(child);
    dir.children.clear();
  }

  /** Charges a removed subtree's file bytes to the layers that added them. */
  private charge(node: TreeNode): void {
    const e = node.entry;
    if (e && e.size > 0 && node.layer >= 0) {
      this.wasted[node.layer] = (this.wasted[node.layer] ?? 0) + e.size;
      if (e.size > (this.largestWaste[node.layer]?.size ?? 0)) this.largestWaste[node.layer] = { path: e.path, size: e.size };
    }
    if (node.children) for (const child of node.children.values()) this.charge(child);
  }
}

/** Byte order of UTF-8, as `LC_ALL=C sort` and tar's --sort=name use. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
