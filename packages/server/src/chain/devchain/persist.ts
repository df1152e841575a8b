/**
 * The optional data file of a dev instance: all blocks (raw hex, in the order they were seen, so
 * parents come first), the tip, invalidated hashes, the mempool and the wallet's key indexes.
 * Writes are debounced and atomic (tmp file + rename), so a crash leaves the previous version.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface PersistedChain {
  version: 1;
  blocks: string[];
  tip: string;
  invalid: string[];
  mempool: { hex: string; time: number }[];
  wallet: { receive: number; change: number };
}

const DEBOUNCE_MS = 100;

export class ChainFile {
  private timer: NodeJS.Timeout | undefined;
  private latest: (() => PersistedChain) | undefined;

  constructor(readonly path: string) {}

  load(): PersistedChain | undefined {
    if (!existsSync(this.path)) return undefined;
    const data = JSON.parse(readFileSync(this.path, "utf8")) as PersistedChain;
    if (data.version !== 1) throw new Error(`${this.path}: unknown devchain data version ${String(data.version)}`);
    return data;
  }

  save(data: PersistedChain): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.path);
  }

  /** Saves soon; the snapshot is taken at write time, so a burst of changes costs one write. */
  schedule(snapshot: () => PersistedChain): void {
    this.latest = snapshot;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    // A pending write must not keep the process alive; `close` flushes it on shutdown.
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.latest;
    this.latest = undefined;
    if (snapshot) this.save(snapshot());
  }

  close(): void {
    this.flush();
  }
}
