import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Parent side of the embedded database: find the PGlite child that owns a data dir, or start one
// (docs/decisions/0001-embedded-postgres.md). Imports nothing heavy: CLI commands must start fast.

export interface EmbeddedPostgres {
  host: string; // the unix socket's DIRECTORY, as pg / MikroORM want it
  port: 5432;
  user: "postgres";
  password: "postgres";
  dbName: "postgres";
  spawned: boolean; // this call started the child (false: reused one serving already)
  release(): Promise<void>; // drop our hold; the child lingers until its connections close
}

export interface EnsureOptions {
  log?: (msg: string, fields?: object) => void;
  timeoutMs?: number;
}

export type ChildMessage =
  | { type: "ready"; pid: number; socketPath: string; startMs: number }
  | { type: "locked"; ownerPid: number }
  | { type: "error"; message: string }
  | { type: "log"; msg: string; fields?: object };

// sun_path is 108 bytes on Linux but 104 on macOS/BSD, both including the NUL.
const MAX_SOCKET_PATH = 103;

export function lockPathFor(dataDir: string): string {
  return path.join(path.resolve(dataDir), "embedded-postgres.lock");
}

/** Deterministic, so every process computes the same place without asking anyone. */
export function socketPathFor(dataDir: string): string {
  const abs = path.resolve(dataDir);
  const inDir = path.join(abs, ".s.PGSQL.5432");
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH) return inDir;
  const hash = createHash("sha256").update(abs).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `btpay-${hash}`, ".s.PGSQL.5432");
}

export function readLockPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

// On Linux the command line is checked too: a stale lock whose pid the OS reused for an unrelated
// process must not pass for a live owner.
export function isLockOwnerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("pglite-child");
  } catch (err) {
    // No procfs (macOS): trust kill(0). A vanished /proc entry means the process just died.
    return (err as NodeJS.ErrnoException).code !== "ENOENT" || !fs.existsSync("/proc/self");
  }
}

/** Pid of the live process owning `dataDir`, or null if nobody does (no lock, or a stale one). */
export function lockOwner(dataDir: string): number | null {
  const pid = readLockPid(lockPathFor(dataDir));
  return pid !== null && isLockOwnerAlive(pid) ? pid : null;
}

/** Creates `file` holding our pid atomically: link() of a complete temp file either wins or fails. */
function createPidFile(file: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${process.pid}\n`);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Takes the data dir lock (child only); returns a live owner's pid instead if there is one. */
export function acquireLock(dataDir: string): number | null {
  const file = lockPathFor(dataDir);
  const takeover = `${file}.takeover`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createPidFile(file)) return null;
    const stalePid = readLockPid(file);
    if (stalePid !== null && isLockOwnerAlive(stalePid)) return stalePid;
    // Stale. Two processes seeing it must not both delete-and-recreate (the second delete would
    // remove the first one's fresh lock), so deleting it takes the takeover lock.
    if (createPidFile(takeover)) {
      try {
        if (readLockPid(file) === stalePid) fs.rmSync(file, { force: true });
      } finally {
        fs.rmSync(takeover, { force: true });
      }
      continue;
    }
    // Its holder died between creating and removing it (a window of microseconds).
    const taker = readLockPid(takeover);
    if (taker === null || !isLockOwnerAlive(taker)) fs.rmSync(takeover, { force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`could not take the lock ${file}`);
}

// The compiled child: next to this file in dist/, or dist/ seen from src/ when run from source
// (vitest). BTPAY_PGLITE_CHILD overrides both, for bundlers and tests against a scratch build.
export function childEntryPath(): string {
  const override = process.env.BTPAY_PGLITE_CHILD;
  if (override) return path.resolve(override);
  const candidates = [
    new URL("./pglite-child.js", import.meta.url),
    new URL("../../../dist/db/embedded/pglite-child.js", import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `embedded Postgres child not found (looked at ${candidates.join(", ")}); build the server first: npx tsc -b packages/server`,
    );
  }
  return found;
}

/**
 * Opens a raw connection and completes the Postgres startup handshake. The open socket is our
 * "lease": the child counts it as a client and stays up while we hold it, whatever our pg pool
 * does with its own connections. The handshake (not just connect) proves a live server attached
 * it, rather than one that was closing as we connected.
 */
function openLease(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let buf = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error("startup handshake timed out")), timeoutMs);
    sock.on("error", fail);
    sock.on("close", () => fail(new Error("connection closed during startup")));
    sock.on("connect", () => {
      // Protocol 3.0. Startup parameters become settings of the ONE shared session: send no more.
      const body = Buffer.from("\0\x03\0\0user\0postgres\0database\0postgres\0\0", "latin1");
      sock.write(Buffer.concat([Buffer.from([0, 0, 0, 4 + body.length]), body]));
    });
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5) {
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        const type = String.fromCharCode(buf[0] ?? 0);
        buf = buf.subarray(1 + len);
        if (type === "E") return fail(new Error("server rejected the startup packet"));
        if (type === "Z") {
          clearTimeout(timer);
          // From here on an error only means the child went away: handle() reacts to "close".
          sock
            .removeAllListeners()
            .on("error", () => {})
            .unref();
          return resolve(sock);
        }
      }
    });
  });
}

type SpawnOutcome = { kind: "ready"; child: ChildProcess } | { kind: "locked"; ownerPid: number };

function spawnChild(dataDir: string, timeoutMs: number, log: EnsureOptions["log"]) {
  // detached: its own process group, so Ctrl+C on our terminal does not reach it; it stops on its
  // own terms and flushes. stdio ignored: it must never block on, or get EPIPE from, a terminal
  // or pipe that outlived us. It reports over IPC while we listen, and to a log file.
  const child = spawn(process.execPath, [childEntryPath(), dataDir], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
    cwd: dataDir,
  });
  child.on("error", () => {}); // after startup: e.g. a failed disconnect; nothing to do
  return new Promise<SpawnOutcome>((resolve, reject) => {
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      child.removeAllListeners("message").removeAllListeners("close");
      fn();
    };
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      settle(() => reject(new Error(`embedded Postgres in ${dataDir} did not start within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.once("error", (err) =>
      settle(() => reject(new Error(`could not start the embedded Postgres child: ${err.message}`))),
    );
    // "close", not "exit": it comes after the IPC channel drained, so a final message is not lost.
    child.on("close", (code, signal) =>
      settle(() => reject(new Error(`embedded Postgres child exited during startup (code ${code}, signal ${signal})`))),
    );
    child.on("message", (m: ChildMessage) => {
      if (m.type === "log") return log?.(m.msg, m.fields);
      if (m.type === "ready") log?.("embedded postgres started", { pid: m.pid, socket: m.socketPath, ms: m.startMs });
      settle(() => {
        if (m.type === "ready") resolve({ kind: "ready", child });
        else if (m.type === "locked") resolve({ kind: "locked", ownerPid: m.ownerPid });
        else reject(new Error(`embedded Postgres failed to start in ${dataDir}: ${m.message}`));
      });
    });
  });
}

// Connects to the PGlite child serving `dataDir`, starting it if none runs. Safe to call from
// several processes at once: the child's lock file decides who opens the files; losers connect.
export async function ensureEmbeddedPostgres(dataDir: string, opts: EnsureOptions = {}): Promise<EmbeddedPostgres> {
  const dir = path.resolve(dataDir);
  const log = opts.log;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const socketPath = socketPathFor(dir);
  fs.mkdirSync(dir, { recursive: true });

  for (;;) {
    const left = () => Math.max(1, deadline - Date.now());
    const lease = await openLease(socketPath, Math.min(left(), 10_000)).catch(() => null);
    if (lease) return handle(dir, opts, lease, null);

    const owner = lockOwner(dir);
    if (owner === null) {
      const outcome = await spawnChild(dir, left(), log);
      if (outcome.kind === "ready") {
        const { child } = outcome;
        const lease = await openLease(socketPath, left()).catch((err: Error) => {
          child.disconnect();
          throw err;
        });
        return handle(dir, opts, lease, child);
      }
      log?.("embedded postgres owned by another process, waiting for its socket", { pid: outcome.ownerPid });
    }
    const who = Date.now() >= deadline ? (owner ?? lockOwner(dir)) : undefined;
    if (who !== undefined) {
      const hint = who ? ` (locked by pid ${who}; if no btpay process runs, delete ${lockPathFor(dir)})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for the embedded Postgres socket ${socketPath}${hint}`);
    }
    // Another process is starting (or stopping) the child: poll until it serves or lets go.
    await new Promise((r) => setTimeout(r, 100));
  }
}

function handle(dir: string, opts: EnsureOptions, lease: net.Socket, child: ChildProcess | null): EmbeddedPostgres {
  // The IPC channel is a handle of its own: unref both so the child never keeps us alive.
  child?.unref();
  (child?.channel as { unref?: () => void } | null | undefined)?.unref?.();
  let released = false;
  let successor: EmbeddedPostgres | null = null;
  // Our lease closing means the child died (kill -9, crash): bring one back on the same socket
  // path so our pg pool's next connect works, instead of failing until we restart.
  lease.once("close", async () => {
    while (!released && !successor) {
      await new Promise((r) => setTimeout(r, 500).unref()); // unref: never what keeps us running
      if (released) return;
      opts.log?.("embedded postgres went away; restarting it", { dataDir: dir });
      const next = await ensureEmbeddedPostgres(dir, opts).catch((err: Error) => {
        opts.log?.("embedded postgres restart failed", { error: err.message });
        return null;
      });
      if (next && released) await next.release();
      else successor = next;
    }
  });
  return {
    host: path.dirname(socketPathFor(dir)),
    port: 5432,
    user: "postgres",
    password: "postgres",
    dbName: "postgres",
    spawned: child !== null,
    async release() {
      released = true;
      lease.destroy();
      if (child?.connected) child.disconnect();
      await successor?.release();
    },
  };
}
