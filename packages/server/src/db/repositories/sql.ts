import type { EntityManager } from "@mikro-orm/postgresql";

/** Runs one parameterised statement on the em's connection (inside its transaction, if any). */
export async function rows<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.execute(sql, params as never[], "all")) as T[];
}

export async function row<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(em, sql, params))[0];
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
