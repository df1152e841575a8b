// Webhook delivery benchmark (issue 5): a real `btpay serve`, a fast receiver on loopback.
// 1. Sustained: events at a fixed rate (invoices created over HTTP, one `invoice.created` each) for
//    `seconds`; deliveries/s and latency from the create's response to the receiver's receipt.
// 2. Drain: 10,000 events queued behind a receiver outage (its first delivery failed), then the
//    receiver comes back and the head delivery is redelivered; time until all 10,000 arrive.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { run, startServer } from "./lib.mjs";

function receiver() {
  const got = new Map();
  let answer = 200;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      if (answer === 200) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const key = body.data.ref;
        if (!got.has(key)) got.set(key, at);
      }
      res.statusCode = answer;
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        got,
        set answer(v) {
          answer = v;
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function webhookBench({ env, connect, seconds = 10, rate = 200, queued = 10_000 }) {
  const serverEnv = {
    ...env,
    BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true",
    BTPAY_SECRET_KEY: randomBytes(32).toString("hex"),
    BTPAY_RATE_LIMIT_PER_MINUTE: "10000000",
  };
  const key = await run(["api-key", "create", "--name", "bench-webhooks"], serverEnv);
  const server = await startServer(serverEnv);
  const r = await receiver();
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const api = (method, path, body) =>
    fetch(`${server.url}/api/v1${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) }).then(
      (res) => res.json(),
    );
  try {
    const hook = await api("POST", "/webhooks", { url: r.url, events: ["invoice.created"] });
    const invoice = { lines: [{ description: "bench", quantity: 1, unit_price: "1.00" }] };

    // 1. Sustained rate.
    const sentAt = new Map();
    const total = seconds * rate;
    const start = performance.now();
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      pending.push(
        api("POST", "/invoices", invoice).then((inv) => {
          sentAt.set(inv.ref, performance.now());
        }),
      );
    }
    await Promise.all(pending);
    const createdIn = (performance.now() - start) / 1000;
    const deadline = performance.now() + 60_000;
    while (r.got.size < total && performance.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const latencies = [...sentAt].map(([ref, t]) => (r.got.get(ref) ?? Number.NaN) - t).filter(Number.isFinite);
    latencies.sort((a, b) => a - b);
    const receipts = [...r.got.values()].sort((a, b) => a - b);
    const sustained = {
      rate,
      events: total,
      delivered: r.got.size,
      offeredPerSec: Math.round(total / createdIn),
      deliveredPerSec: Math.round(r.got.size / (((receipts.at(-1) ?? start) - start) / 1000)),
      p50: Math.round(pct(latencies, 50)),
      p99: Math.round(pct(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? 0),
    };

    // 2. Drain after an outage: the receiver fails, events pile up behind the failed head.
    r.got.clear();
    r.answer = 503;
    const db = await connect();
    const storeId = (await db.query("select store_id from webhook where id = $1", [hook.id])).rows[0].store_id;
    await api("POST", "/invoices", invoice); // the head: attempted, fails, waits 60 s for its retry
    await new Promise((res) => setTimeout(res, 1_000));
    const queueStart = performance.now();
    await db.query(
      `insert into outbox_event (store_id, type, invoice_id, data)
       select $1, 'invoice.created', null, jsonb_build_object('ref', 'q' || g) from generate_series(1, $2) g`,
      [storeId, queued],
    );
    const queuedIn = (performance.now() - queueStart) / 1000;
    const [head] = (await api("GET", `/webhooks/${hook.id}/deliveries?limit=1&offset=${queued}`)).deliveries;
    r.answer = 200;
    const drainStart = performance.now();
    await api("POST", `/webhooks/${hook.id}/deliveries/${head.id}/redeliver`);
    const drainDeadline = performance.now() + 600_000;
    while (r.got.size < queued + 1 && performance.now() < drainDeadline)
      await new Promise((res) => setTimeout(res, 100));
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await db.end();
    return {
      sustained,
      drain: {
        queued,
        queuedSeconds: queuedIn,
        delivered: r.got.size - 1,
        seconds: drainSeconds,
        perSec: Math.round((r.got.size - 1) / drainSeconds),
      },
    };
  } finally {
    await r.close();
    await server.stop();
  }
}

export function webhookTable(label, w) {
  const s = w.sustained;
  return [
    `### ${label}`,
    "",
    "| scenario | result | target |",
    "|---|---|---|",
    `| ${s.events.toLocaleString("en")} events offered at ${s.rate}/s (one endpoint, fast receiver) | ${s.delivered.toLocaleString("en")} delivered, ${s.deliveredPerSec.toLocaleString("en")}/s; event -> receipt p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (events actually offered at ${s.offeredPerSec}/s) | p99 <= 1 s at 200/s |`,
    `| ${w.drain.queued.toLocaleString("en")} events queued behind an outage, then redelivered | drained in ${w.drain.seconds.toFixed(1)} s (${w.drain.perSec.toLocaleString("en")}/s, in order, one endpoint) | - |`,
    "",
  ].join("\n");
}
