import { pino } from "pino";
import { BitcoindSource } from "../../../server/src/chain/bitcoind-source.js";
import type { DevNode } from "../../../server/src/chain/devchain/dev-node.js";
import { startInvalidationSweep } from "../../../server/src/greenfield/invalidation-sweep.js";
import { createLogger } from "../../../server/src/logger.js";
import { PaymentTracker } from "../../../server/src/services/payment-tracker.js";
import { type ChainWatcher, startChainWatcher } from "../../../server/src/workers/chain-watcher.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "../../../server/src/workers/webhook-dispatcher.js";
import {
  MONITORING_MINUTES,
  type MovableClock,
  movableClock,
  QUOTE_MINUTES,
  RATE,
  randomRegtestDescriptor,
} from "../../../server/test/chain/helpers/watch-harness.js";
import { startTestServer, type TestServer } from "../../../server/test/helpers/test-server.js";

/**
 * A btpay server on devchain as a shop meets it: regtest, 1 BTC = 100,000 USD, a 15-minute quote
 * deadline and a 60-minute monitoring window, webhooks allowed to loopback; one store with a
 * watch-only wallet. The chain watcher, the Greenfield invalidation sweep and the webhook dispatcher
 * run in this process on a clock the test moves, and only when `tick()` asks (their polls are long).
 */
export interface DevchainServer {
  t: TestServer;
  clock: MovableClock;
  storeId: string;
  /** btpay's own API with a full Bearer key of the store (what the merchant uses besides the shop). */
  btpay(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A watcher pass, then every webhook delivery that is due. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export async function startDevchainServer(node: DevNode, storeName: string): Promise<DevchainServer> {
  const clock = movableClock();
  const t = await startTestServer({
    clock,
    env: {
      BTPAY_RATES_FIXED: RATE,
      BTPAY_NETWORK: "regtest",
      BTPAY_QUOTE_DEADLINE: String(QUOTE_MINUTES),
      BTPAY_MONITORING_MINUTES: String(MONITORING_MINUTES),
      BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true",
      BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: "100000",
    },
  });
  const { key, storeId } = await t.newStoreWithKey("full", storeName);
  async function btpay(method: string, path: string, body?: unknown) {
    const res = await fetch(`${t.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const wallet = await btpay("PUT", "/wallet", { descriptor: randomRegtestDescriptor() });
  if (wallet.status !== 200) throw new Error(`wallet: ${JSON.stringify(wallet.body)}`);

  const logger = createLogger(process.env.BTPAY_TEST_LOG_LEVEL ?? "error", pino.destination({ dest: 2, sync: true }));
  const tracker = new PaymentTracker(t.opened.db, clock, logger, {
    network: "regtest",
    monitoringMinutes: MONITORING_MINUTES,
  });
  const source = new BitcoindSource({ url: node.rpc.url });
  const watcher: ChainWatcher = startChainWatcher(
    { db: t.opened.db, source, tracker, clock, logger },
    { pollMs: 600_000, leaderRetryMs: 100 },
  );
  for (let i = 0; i < 200 && !watcher.isLeader(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!watcher.isLeader()) throw new Error("the watcher never became leader");
  const dispatcher: WebhookDispatcher = startWebhookDispatcher(
    { db: t.opened.db, box: t.box, clock, logger },
    { pollMs: 600_000, timeoutMs: 2_000, allowPrivate: true, endpoints: 8, perEndpoint: 50 },
  );
  const invalidation = startInvalidationSweep({ db: t.opened.db, clock, logger }, { intervalMs: 600_000 });

  return {
    t,
    clock,
    storeId,
    btpay,
    async tick() {
      await watcher.tickNow();
      await invalidation.sweepNow();
      // Until a round sends nothing: deliveries of one endpoint go out in order, a batch per round.
      for (let i = 0; i < 10 && (await dispatcher.tickNow()) > 0; i++);
    },
    async close() {
      await dispatcher.stop();
      await invalidation.stop();
      await watcher.stop();
      await source.close();
      await t.close();
    },
  };
}
