/**
 * Natural batching (decision 0020): while a lane's statement is in flight, calls that arrive for that
 * lane wait, and leave together as ONE statement when it returns. An idle lane starts at once, so a
 * quiet server adds no delay; under load, N callers cost one round trip, one execution and (for
 * writes) one commit instead of N, and the batches grow with the load by themselves.
 *
 * A batch is all or nothing (one statement), so when a batch of several fails, each of its items is
 * run again alone: one bad item fails only its own caller, and the others get their answers. Writes
 * that must not run twice say which failures allow that (`retryAlone`): a statement the database
 * refused did not commit, but one whose connection broke may have.
 */
export class NaturalBatch<I, O> {
  private readonly lanes = new Map<string, Lane<I, O>>();

  /**
   * `run` answers a lane's items in their order (one answer per item). `maxItems` bounds one
   * statement; `inFlight` is how many statements one lane may have running at once. With `sameAs`,
   * items of one batch with the same key are asked once and share the answer (reads only: the
   * same question in the same statement has the same answer).
   */
  constructor(
    private readonly run: (lane: string, items: I[]) => Promise<O[]>,
    private readonly opts: {
      maxItems: number;
      inFlight: number;
      sameAs?: (item: I) => string;
      retryAlone?: (err: unknown) => boolean;
    },
  ) {}

  submit(lane: string, item: I): Promise<O> {
    let l = this.lanes.get(lane);
    if (!l) {
      l = { waiting: [], running: 0 };
      this.lanes.set(lane, l);
    }
    const entry = l;
    return new Promise<O>((resolve, reject) => {
      entry.waiting.push({ item, resolve, reject });
      this.pump(lane, entry);
    });
  }

  /** Lanes with work running or waiting (a lane is forgotten when it empties). */
  get activeLanes(): number {
    return this.lanes.size;
  }

  private pump(lane: string, l: Lane<I, O>): void {
    while (l.running < this.opts.inFlight && l.waiting.length > 0) {
      const batch = l.waiting.splice(0, this.opts.maxItems);
      l.running += 1;
      void this.execute(lane, batch).finally(() => {
        l.running -= 1;
        if (l.running === 0 && l.waiting.length === 0) this.lanes.delete(lane);
        else this.pump(lane, l);
      });
    }
  }

  private async execute(lane: string, batch: Waiting<I, O>[]): Promise<void> {
    try {
      const answers = await this.answer(lane, batch);
      for (const [i, w] of batch.entries()) w.resolve(answers[i] as O);
    } catch (err) {
      if (batch.length === 1 || !(this.opts.retryAlone?.(err) ?? true)) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(
        batch.map(async (w) => {
          try {
            const [answer] = await this.answer(lane, [w]);
            w.resolve(answer as O);
          } catch (e) {
            w.reject(e);
          }
        }),
      );
    }
  }

  private async answer(lane: string, batch: Waiting<I, O>[]): Promise<O[]> {
    const { sameAs } = this.opts;
    // Which distinct item answers each waiting one (all distinct without `sameAs`).
    const asked: I[] = [];
    const slot: number[] = [];
    const seen = new Map<string, number>();
    for (const w of batch) {
      const key = sameAs?.(w.item);
      const known = key === undefined ? undefined : seen.get(key);
      if (known !== undefined) {
        slot.push(known);
        continue;
      }
      if (key !== undefined) seen.set(key, asked.length);
      slot.push(asked.length);
      asked.push(w.item);
    }
    const answers = await this.run(lane, asked);
    if (answers.length !== asked.length) {
      throw new Error(`a batch of ${asked.length} got ${answers.length} answers`);
    }
    return slot.map((i) => answers[i] as O);
  }
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

interface Lane<I, O> {
  waiting: Waiting<I, O>[];
  running: number;
}

/**
 * True when the database itself refused the statement (a SQLSTATE outside class 08, connection
 * exception): it was rolled back, so running its items again cannot write anything twice. False for
 * a broken connection, after which the commit may or may not have happened.
 */
export function refusedByDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("08");
}
