/**
 * The ETags this process answered recently, per resource key, for a short time. A conditional GET
 * whose `If-None-Match` matches a fresh entry is answered 304 without touching the database: what
 * makes thousands of open checkout pages polling cheap. The price is staleness of at most `ttlMs`
 * for a change made by another process (this process forgets an entry when it serves a new ETag).
 */
export class EtagMemo {
  private readonly entries = new Map<string, { etag: string; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  fresh(key: string, ifNoneMatch: string | undefined): boolean {
    if (!ifNoneMatch) return false;
    const entry = this.entries.get(key);
    return entry !== undefined && entry.etag === ifNoneMatch && entry.until > this.now();
  }

  remember(key: string, etag: string): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { etag, until: this.now() + this.ttlMs });
  }
}
