import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type EmbeddedPostgres,
  ensureEmbeddedPostgres,
  lockPathFor,
  readLockPid,
} from "../../../src/db/embedded/embedded-postgres.js";

// Shared by embedded-postgres.test.ts: temp data dirs, pg clients, and helper processes.

// pg ships no types and @types/pg is not installed: type just what the tests use.
export interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  /** A named (prepared) statement. */
  query<R = Record<string, unknown>>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: "error", cb: (err: Error) => void): void;
}
const pg = createRequire(import.meta.url)("pg") as { Client: new (cfg: object) => PgClient };

const roots: string[] = [];
const dirs: string[] = [];
const held: EmbeddedPostgres[] = [];

export function tempDataDir(suffix = ""): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "btpay-emb-"));
  roots.push(root);
  const dir = root + suffix;
  fs.mkdirSync(dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

export async function ensure(dir: string): Promise<EmbeddedPostgres> {
  const emb = await ensureEmbeddedPostgres(dir, { timeoutMs: 60_000 });
  held.push(emb);
  return emb;
}

export async function connect(emb: EmbeddedPostgres): Promise<PgClient> {
  const c = new pg.Client({
    host: emb.host,
    port: emb.port,
    user: emb.user,
    password: emb.password,
    database: emb.dbName,
  });
  c.on("error", () => {}); // a killed child surfaces as a rejected query; don't crash the runner
  await c.connect();
  return c;
}

/** The child removes its lock as the very last step of a clean exit. */
export async function waitForChildExit(dir: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (fs.existsSync(lockPathFor(dir))) {
    if (Date.now() > deadline) throw new Error(`child for ${dir} still running`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs helpers/embedded-client.mjs as its own process: first JSON line it prints, and its exit. */
export function runHelper(args: string[]) {
  const script = fileURLToPath(new URL("./embedded-client.mjs", import.meta.url));
  const proc = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const firstLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
    proc.on("exit", (code) => reject(new Error(`helper exited with ${code} before answering`)));
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, firstLine, exited };
}

/** Releases everything, waits for the children to go (stopping stragglers), removes the dirs. */
export async function cleanupEmbedded(): Promise<void> {
  for (const emb of held) await emb.release();
  for (const dir of dirs) {
    await waitForChildExit(dir).catch(() => {
      const pid = readLockPid(lockPathFor(dir));
      if (pid) process.kill(pid, "SIGTERM");
    });
  }
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
}
