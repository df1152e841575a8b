import fs from "node:fs";
import type { Server } from "node:net";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { acquireLock, type ChildMessage, lockPathFor, readLockPid, socketPathFor } from "./embedded-postgres.js";
import { gateRequests } from "./request-gate.js";

// `node pglite-child.js <dataDir>`: the only process that opens a data dir's PGlite files; serves
// them on a unix socket to every btpay process. See docs/decisions/0001-embedded-postgres.md.

// Long enough for a CLI that runs several commands in a row to reuse us, short enough that a
// finished `btpay store list` does not leave a process behind for long.
const IDLE_EXIT_MS = 2_000;
const MAX_CONNECTIONS = 16;

const dataDir = path.resolve(process.argv[2] ?? process.env.BTPAY_DATA_DIR ?? "./data");
const socketPath = socketPathFor(dataDir);

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let ownLock = false;
let starting = true;
let stopRequested: string | null = null;
let stopping = false;
let parentGone = !process.connected;
// Postgres explains fatal errors on stderr only ("incorrect checksum in control file"), while
// PGlite throws a bare "Aborted()": keep the last lines to say why a start failed.
const stderrTail: string[] = [];
const onStderr = (line: string): boolean => {
  stderrTail.push(line);
  if (stderrTail.length > 20) stderrTail.shift();
  return false;
};

/** Resolves once the message is handed to the OS, so a process.exit() after it cannot drop it. */
function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    // The parent may go away between the check and the send: nobody is listening then.
    if (!process.connected || !process.send?.(msg, undefined, {}, () => resolve())) resolve();
  });
}

/** Our stdio goes nowhere (see the parent), so lifecycle lines and errors also go to a file. */
function log(msg: string, fields?: object, viaIpc = true): void {
  if (viaIpc) void send({ type: "log", msg, ...(fields ? { fields } : {}) });
  try {
    const line = JSON.stringify({ time: new Date().toISOString(), pid: process.pid, msg, ...fields });
    fs.appendFileSync(path.join(dataDir, "embedded-postgres.log"), `${line}\n`);
  } catch {
    // Logging must never take the database down.
  }
}

/** The socket's directory, when it lives in the shared tmpdir, must be ours and private. */
function prepareSocketDir(): void {
  const dir = path.dirname(socketPath);
  if (dir === dataDir) return;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
    throw new Error(`socket directory ${dir} is not a private directory owned by this user`);
  }
}

async function shutdown(reason: string, code = 0): Promise<void> {
  // Exiting in the middle of PGlite's startup could leave a half-written data dir.
  if (starting && code === 0) {
    stopRequested = reason;
    return;
  }
  if (stopping) return;
  stopping = true;
  log("embedded postgres stopping", { reason });
  // A wedged engine must not keep the lock forever; a dead pid's lock is taken over safely.
  setTimeout(() => process.exit(code || 1), 15_000).unref();
  // Unlink first: from now on new clients fail fast (and start a successor) instead of
  // connecting to a server that is about to drop them. Also rmdir (if empty) our tmpdir one.
  if (ownLock) fs.rmSync(socketPath, { force: true });
  if (ownLock && path.dirname(socketPath) !== dataDir) fs.rmdir(path.dirname(socketPath), () => {});
  try {
    await server?.stop();
  } catch {
    // Closing anyway; the database close below is what matters.
  }
  try {
    // Flushes and shuts Postgres down cleanly: no recovery needed on the next start.
    await db?.close();
  } catch (err) {
    log("embedded postgres close failed", { error: String(err) });
    code = code || 1;
  }
  // Last: a successor may open the files as soon as the lock is gone. Never remove a lock that
  // is not ours (a successor's, had ours been judged stale).
  if (ownLock && readLockPid(lockPathFor(dataDir)) === process.pid) fs.rmSync(lockPathFor(dataDir), { force: true });
  process.exit(code);
}

function watchIdle(srv: PGLiteSocketServer): void {
  let idleSince: number | null = null;
  setInterval(() => {
    if (!parentGone || srv.getStats().activeConnections > 0) {
      idleSince = null;
      return;
    }
    idleSince ??= Date.now();
    if (Date.now() - idleSince >= IDLE_EXIT_MS) void shutdown("idle");
  }, 250);
}

async function main(): Promise<void> {
  const started = Date.now();
  fs.mkdirSync(dataDir, { recursive: true });
  const ownerPid = acquireLock(dataDir);
  if (ownerPid !== null) {
    await send({ type: "locked", ownerPid });
    process.exit(3);
  }
  ownLock = true;
  process.on("disconnect", () => {
    parentGone = true;
  });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => void shutdown(sig));

  const pgdata = path.join(dataDir, "pgdata");
  if (!fs.existsSync(pgdata)) await initDataDir(pgdata);
  db = await PGlite.create(pgdata, { onStderr });
  // If the engine ever throws, pglite-socket's queue stays "processing" and silently stops
  // serving everyone. Exit instead: the clients' handles start a fresh child.
  const exec = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = (message, options) =>
    exec(message, options).catch((err: unknown) => {
      void fail("query engine failed", err);
      throw err;
    });
  // Fail here, with the reason, rather than on the first client's query.
  await db.query("select 1");

  prepareSocketDir();
  // We hold the lock, so a socket file left here is from a dead predecessor.
  fs.rmSync(socketPath, { force: true });
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: MAX_CONNECTIONS });
  await server.start();
  // The library keeps its net.Server private; the gate must see each socket before it does.
  const netServer = (server as unknown as { server?: Server }).server;
  if (!netServer?.prependListener) throw new Error("pglite-socket internals changed: cannot gate requests");
  gateRequests(netServer);
  watchIdle(server);
  starting = false;
  log("embedded postgres ready", { socketPath, startMs: Date.now() - started }, false);
  await send({ type: "ready", pid: process.pid, socketPath, startMs: Date.now() - started });
  if (stopRequested) await shutdown(stopRequested);
}

// initdb into a scratch dir and rename: a kill during the first start leaves no half-initialised
// pgdata that would fail every later start. Costs one extra open on the very first start only.
async function initDataDir(pgdata: string): Promise<void> {
  const scratch = `${pgdata}.init`;
  fs.rmSync(scratch, { recursive: true, force: true }); // a dead predecessor's attempt; we hold the lock
  const fresh = await PGlite.create(scratch, { onStderr });
  await fresh.close();
  fs.renameSync(scratch, pgdata);
}

async function fail(reason: string, err: unknown): Promise<void> {
  const pgSaid = stderrTail.filter((l) => /FATAL|PANIC|ERROR/.test(l)).join("; ");
  const message =
    (err instanceof Error ? err.message : String(err)) +
    (starting ? ` (data dir ${path.join(dataDir, "pgdata")}${pgSaid ? `; postgres: ${pgSaid}` : ""})` : "");
  log(`embedded postgres ${reason}`, { error: err instanceof Error ? err.stack : message });
  await send({ type: "error", message });
  await shutdown(reason, 1);
}

process.on("uncaughtException", (err) => void fail("crashed", err));
process.on("unhandledRejection", (err) => {
  // pglite-socket detaches handlers without awaiting; a rollback racing close() lands here.
  if (!stopping) void fail("crashed", err);
});

main().catch((err: unknown) => fail("failed to start", err));
