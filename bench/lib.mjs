// Shared pieces of the benchmarks: start real server processes, drive them with autocannon.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const BIN = `${ROOT}packages/server/bin/btpay.mjs`;

export function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`btpay ${args.join(" ")}: ${err}`)),
    );
  });
}

/** `btpay serve` in its own process; resolves with its URL once it listens. */
export function startServer(env) {
  return startProcess(
    [BIN, "serve"],
    { PORT: "0", HOST: "127.0.0.1", BTPAY_LOG_LEVEL: "warn", ...env },
    "btpay listening",
  );
}

/** The ceiling: a bare Express 5 "hello" in its own process, same machine, same load generator. */
export function startHello() {
  return startProcess([`${ROOT}bench/hello-express.mjs`], { PORT: "0" }, "hello listening");
}

function startProcess(argv, env, marker) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, ...env, BTPAY_LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    const onData = (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes(marker));
      if (line) {
        // From here on the server's log is drained, not kept: keeping and re-splitting it cost the
        // load generator's process more CPU the longer a run went (measured), skewing every number.
        child.stdout.off("data", onData);
        child.stdout.resume();
        out = "";
        const { url } = JSON.parse(line);
        resolve({
          url,
          stop: () =>
            new Promise((r) => {
              child.on("exit", r);
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${argv.join(" ")} exited ${code}: ${out}`)));
  });
}

/** 50 connections for `seconds`; returns requests/s, latency percentiles and non-2xx count. */
export async function load({
  url,
  method = "GET",
  headers = {},
  body,
  connections = 50,
  seconds = 10,
  expect = [200],
}) {
  const result = await autocannon({ url, method, headers, body, connections, duration: seconds, pipelining: 1 });
  const bad = result.non2xx + result.errors + result.timeouts;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    p90: result.latency.p90,
    p975: result.latency.p97_5,
    max: result.latency.max,
    requests: result.requests.total,
    errors: bad,
    expect,
  };
}
