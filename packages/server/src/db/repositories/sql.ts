import { createHash } from "node:crypto";

/**
 * Runs one statement with `?` placeholders as a server-side parameterised query (values are sent
 * separately, never spliced into the SQL text).
 */
export type Sql = <T>(sql: string, params?: readonly unknown[], opts?: StatementOptions) => Promise<T[]>;

export interface StatementOptions {
  /**
   * Plan with this call's values every time instead of preparing the statement: for the few whose
   * best plan depends on the values and the data (a generic plan can be far worse; on the embedded
   * database, where no autovacuum keeps statistics, measured 2x slower for the webhook claim).
   */
  planEachCall?: boolean;
}

/** The slice of a `pg` client that repositories need. */
export interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

interface Statement {
  text: string;
  name: string;
}

const statements = new Map<string, Statement>();

/**
 * `?` -> `$1, $2, ...` once per statement text (our statements never contain a literal `?`), and a
 * stable name derived from the text. Named statements are parsed and planned once per connection
 * instead of on every call: for the hot statements that is most of Postgres's work (measured in
 * docs/benchmarks.md).
 */
function statement(sql: string): Statement {
  let s = statements.get(sql);
  if (!s) {
    let i = 0;
    const text = sql.replace(/\?/g, () => `$${++i}`);
    s = { text, name: `btpay_${createHash("sha1").update(text).digest("hex").slice(0, 16)}` };
    statements.set(sql, s);
  }
  return s;
}

/**
 * Statements on one connection. On the embedded database every connection shares one Postgres
 * session, so a name prepared by one client already exists for the next: the PGlite child's gate
 * answers such a Parse itself (db/embedded/session-statements.ts); names are hashes of the text,
 * so one name never means two statements.
 */
export function connectionSql(connection: PgConnection, named: boolean): Sql {
  return async <T>(sql: string, params: readonly unknown[] = [], opts: StatementOptions = {}) => {
    const s = statement(sql);
    const result = await connection.query({
      text: s.text,
      values: params as unknown[],
      ...(named && !opts.planEachCall ? { name: s.name } : {}),
    });
    return result.rows as T[];
  };
}

export async function rows<T>(
  sql: Sql,
  text: string,
  params: readonly unknown[] = [],
  opts?: StatementOptions,
): Promise<T[]> {
  return sql<T>(text, params, opts);
}

export async function row<T>(sql: Sql, text: string, params: readonly unknown[] = []): Promise<T | undefined> {
  return (await sql<T>(text, params))[0];
}

/** Postgres `numeric` comes back as "200.00000000"; drop the storage scale's trailing zeros. */
export function trimNumeric(value: string): string {
  if (!value.includes(".")) return value;
  const trimmed = value.replace(/0+$/, "");
  return trimmed.endsWith(".") ? trimmed.slice(0, -1) : trimmed;
}

/**
 * MikroORM makes `pg` return timestamptz as text ("2026-11-21 05:46:16.684+00") so it can apply its
 * own timezone rules; raw queries turn that into a Date here.
 */
export function toDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  const iso = value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`unreadable timestamp from the database: ${value}`);
  return d;
}
