import type { Knex } from "@mikro-orm/postgresql";

/**
 * Runs one statement with `?` placeholders as a server-side parameterised query (values are sent
 * separately, never spliced into the SQL text), inside `trx` when given.
 */
export type Sql = <T>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export function makeSql(knex: Knex, trx?: Knex.Transaction): Sql {
  return async <T>(sql: string, params: readonly unknown[] = []) => {
    const query = knex.raw(sql, params as Knex.RawBinding[]);
    if (trx) query.transacting(trx);
    const result = (await query) as { rows: T[] };
    return result.rows;
  };
}

export async function rows<T>(sql: Sql, text: string, params: readonly unknown[] = []): Promise<T[]> {
  return sql<T>(text, params);
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
