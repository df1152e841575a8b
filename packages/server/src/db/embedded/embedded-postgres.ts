import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Parent side of the embedded database: find the PGlite child that owns `dataDir`, or start one.
 * See docs/decisions/0001-embedded-postgres.md. Deliberately imports nothing heavy (no PGlite):
 * CLI commands that only connect must start fast.
 */

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

/** Pid recorded in a lock file, if the file exists and holds a number. */
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

/** Removes the lock if it is still ours (never one a successor took over). */
export function releaseLock(dataDir: string): void {
  const file = lockPathFor(dataDir);
  if (readLockPid(file) === process.pid) fs.rmSync(file, { force: true });
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
      // Startup parameters become settings of the ONE shared session: send nothing beyond these.
      const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
      const head = Buffer.alloc(8);
      head.writeInt32BE(8 + params.length, 0);
      head.writeInt32BE(196608, 4);
      sock.write(Buffer.concat([head, params]));
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
          sock.removeAllListeners();
          // From here on a closed lease only means the child went away; pg will report that.
          sock.on("error", () => {});
          sock.unref();
          return resolve(sock);
        }
      }
    });
  });
}

type SpawnOutcome = { kind: "ready"; child: ChildProcess } | { kind: "locked"; ownerPid: number };

function spawnChild(dataDir: string, timeoutMs: number, log: NonNullable<EnsureOptions["log"]>) {
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
      if (m.type === "log") return log(m.msg, m.fields);
      if (m.type === "ready")
        log("embedded postgres started", { pid: m.pid, socket: m.socketPath, startMs: m.startMs });
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
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const socketPath = socketPathFor(dir);
  fs.mkdirSync(dir, { recursive: true });

  for (;;) {
    const left = () => Math.max(1, deadline - Date.now());
    const lease = await openLease(socketPath, Math.min(left(), 10_000)).catch(() => null);
    if (lease) return handle(socketPath, lease, null);

    const owner = lockOwner(dir);
    if (owner === null) {
      const outcome = await spawnChild(dir, left(), log);
      if (outcome.kind === "ready") {
        const child = outcome.child;
        try {
          return handle(socketPath, await openLease(socketPath, left()), child);
        } catch (err) {
          child.disconnect();
          throw err;
        }
      }
      log("embedded postgres owned by another process, waiting for its socket", { pid: outcome.ownerPid });
    }
    if (Date.now() >= deadline) {
      const who = owner ?? lockOwner(dir);
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for the embedded Postgres socket ${socketPath}` +
          (who ? ` (data dir locked by pid ${who}; if no btpay process is running, delete ${lockPathFor(dir)})` : ""),
      );
    }
    // Another process is starting (or stopping) the child: poll until it serves or lets go.
    await new Promise((r) => setTimeout(r, 100));
  }
}

function handle(socketPath: string, lease: net.Socket, child: ChildProcess | null): EmbeddedPostgres {
  // The IPC channel is a handle of its own: unref both so the child never keeps us alive.
  child?.unref();
  (child?.channel as { unref?: () => void } | null | undefined)?.unref?.();
  let released = false;
  return {
    host: path.dirname(socketPath),
    port: 5432,
    user: "postgres",
    password: "postgres",
    dbName: "postgres",
    spawned: child !== null,
    async release() {
      if (released) return;
      released = true;
      lease.destroy();
      if (child?.connected) child.disconnect();
    },
  };
}
