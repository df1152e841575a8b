import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { type DevNode, startDevNode } from "../chain/devchain/dev-node.js";
import { type Config, loadConfig } from "../config.js";
import { type OpenedDatabase, openDatabase } from "../db/connect.js";
import { ChainSimulator } from "../dev/chain-simulator.js";
import { type DevSession, devApiRouter } from "../dev/dev-router.js";
import { ensureDemoPaymentLinks, ensureSinkWebhook, SINK_PATH, type SinkRegistration } from "../dev/dev-setup.js";
import { mountPlayground } from "../dev/playground-static.js";
import { WebhookSink } from "../dev/webhook-sink.js";
import { createLogger, type Logger } from "../logger.js";
import { type RunningServer, serve } from "../main.js";
import { ApiKeyService } from "../services/api-keys.js";
import { StoreService } from "../services/stores.js";
import { WalletService } from "../services/wallets.js";
import { type RateSimulator, startRateSimulator } from "../simulators/rate-simulator.js";

interface DevInfo {
  apiUrl: string;
  apiKey: string;
  storeId: string;
}

interface DevChainInfo {
  /** Bitcoin Core JSON-RPC of devchain, credentials in the URL. */
  bitcoindRpcUrl: string;
  esploraUrl: string;
  /** Electrum TCP, `host:port`. */
  electrum: string;
  /** Bitcoin Core's ZMQ notifications (`hashblock`, `rawtx`), `tcp://host:port`. */
  zmqUrl: string;
  /** A devchain wallet address to mine to (mining to an invoice address would pay it 50 BTC). */
  minerAddress: string;
}

const CHAIN_URL_VARS = ["BTPAY_ESPLORA_URL", "BTPAY_BITCOIND_RPC_URL", "BTPAY_ELECTRUM"] as const;

/**
 * devchain for dev mode, unless the developer points btpay at a chain of their own (any of the
 * chain URL variables set). Its blocks live in `<dataDir>/devchain.json`, so a restart keeps them.
 * Returns the environment that makes the watcher read it (Electrum by default, for push
 * notifications; BTPAY_CHAIN=bitcoind or esplora picks the other protocols).
 */
async function startDevChainIfNeeded(env: NodeJS.ProcessEnv): Promise<{ node?: DevNode; env: NodeJS.ProcessEnv }> {
  if (CHAIN_URL_VARS.some((v) => env[v])) return { env };
  const dataDir = path.resolve(env.BTPAY_DATA_DIR || "./data");
  await mkdir(dataDir, { recursive: true });
  const node = await startDevNode({ dataFile: path.join(dataDir, "devchain.json"), zmq: true });
  return {
    node,
    env: {
      BTPAY_CHAIN: "electrum",
      BTPAY_CHAIN_POLL_MS: "1000",
      ...env,
      BTPAY_BITCOIND_RPC_URL: node.rpc.url,
      BTPAY_ESPLORA_URL: node.esplora.url,
      BTPAY_ELECTRUM: node.electrumAddress,
      BTPAY_BITCOIND_ZMQ: node.zmq?.url,
    },
  };
}

/** `<dataDir>/dev.json`: what scripts and the playground need to talk to this dev server. */
export interface DevJson extends DevInfo, Partial<DevChainInfo>, Partial<SinkRegistration> {
  playgroundUrl: string;
}

export interface RunningDev extends RunningServer {
  dev: DevJson;
  /** devchain, unless the developer pointed dev mode at a chain of their own. */
  node?: DevNode;
}

/**
 * `npm start`: the server on the embedded database with a demo store and a key, written to
 * `<dataDir>/dev.json` (mode 600) so scripts and the playground can pick them up. The key is kept
 * there because the database only holds its hash.
 */
export async function startDev(io: { out: (l: string) => void }): Promise<void> {
  await runDev(process.env, io);
}

/** Dev mode from an environment (tests run it in-process on a temporary data directory). */
export async function runDev(env: NodeJS.ProcessEnv, io: { out: (l: string) => void }): Promise<RunningDev> {
  // Dev mode runs on regtest unless told otherwise, and prices from the local rate simulator.
  const chain = await startDevChainIfNeeded(env);
  const config = loadConfig({
    BTPAY_NETWORK: "regtest",
    // Dev mode lets webhooks reach http and local receivers (main.ts logs that it is on): the
    // playground's sink is one.
    BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true",
    // One browser tab polling elements, the playground and the simulator share one key and one
    // client address: production limits would throttle the playground within a minute.
    BTPAY_RATE_LIMIT_PER_MINUTE: "1000",
    BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: "600",
    ...chain.env,
  });
  const logger = createLogger(config.logLevel);
  const devchain: DevChainInfo | undefined = chain.node && {
    bitcoindRpcUrl: chain.node.rpc.url,
    esploraUrl: chain.node.esplora.url,
    electrum: chain.node.electrumAddress,
    zmqUrl: chain.node.zmq?.url as string,
    minerAddress: chain.node.chain.getNewAddress(),
  };
  if (devchain) {
    logger.info(
      { ...devchain, height: chain.node?.chain.tip().height, watcher: config.chain.backend },
      "devchain started (dev mode): a local regtest chain, not the Bitcoin network",
    );
  }
  let simulator: RateSimulator | undefined;
  if (!config.rates.fixed && Object.keys(config.rates.sourceUrls).length === 0) {
    simulator = await startRateSimulator();
    config.rates.sourceUrls = simulator.baseUrls;
    logger.info({ url: simulator.url }, "rate simulator started (dev mode): rates are simulated, not real");
  }
  const devFile = path.join(config.dataDir, "dev.json");
  const opened = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, migrate: true },
    logger,
  );
  const previous = await readFile(devFile, "utf8").then(
    (t) => JSON.parse(t) as Partial<DevJson>,
    () => undefined,
  );
  const info = await ensureDemoStore(config, opened, previous);
  const sink = new WebhookSink();
  let session: DevSession | undefined;
  let dev: DevJson | undefined;
  const chainSimulator = chain.node && devchain ? new ChainSimulator(chain.node.chain, devchain.minerAddress) : null;
  const running = await serve(config, logger, {
    opened,
    onClose: async () => {
      await chain.node?.close();
      await simulator?.close();
    },
    // Dev-only routes: `btpay serve` never mounts these.
    extraRoutes: (app) => {
      app.use(
        "/dev/api",
        devApiRouter({ chain: chainSimulator, sink, session: () => session, db: opened.db, config, logger }),
      );
      mountPlayground(app, logger);
    },
    onReady: async (url) => {
      const apiUrl = `${url}/api/v1`;
      const api = createBtpayClient({ baseUrl: apiUrl, apiKey: info.apiKey });
      const sinkRegistration = await setUpThroughApi(api, `${loopbackOrigin(url)}${SINK_PATH}`, previous, logger);
      if (sinkRegistration) sink.setSecret(sinkRegistration.webhookSecret);
      session = { apiUrl, apiKey: info.apiKey, storeId: info.storeId, network: config.network, api };
      dev = { ...info, apiUrl, playgroundUrl: `${url}/playground/`, ...devchain, ...sinkRegistration };
      await writeFile(devFile, `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
      await chmod(devFile, 0o600);
      io.out(
        [
          "",
          `  btpay is running (dev mode, ${config.databaseUrl ? "PostgreSQL from DATABASE_URL" : `embedded database in ${config.dataDir}`})`,
          `  Playground: ${dev.playgroundUrl}`,
          `  API:      ${dev.apiUrl}`,
          `  API key:  ${dev.apiKey}`,
          `  Docs:     ${url}/docs`,
          `  Try:      curl -H "Authorization: Bearer ${dev.apiKey}" ${dev.apiUrl}/invoices`,
          ...(devchain ? devchainHelp(devchain, url) : []),
          `  (also written to ${devFile})`,
          "",
        ].join("\n"),
      );
    },
  });
  return { ...running, dev: dev as DevJson, node: chain.node };
}

/**
 * The demo payment links and the webhook sink, made through the API like a developer would. A
 * failure here leaves dev mode running without them (logged), rather than not starting at all.
 */
async function setUpThroughApi(
  api: BtpayClient,
  sinkUrl: string,
  previous: Partial<SinkRegistration> | undefined,
  logger: Logger,
): Promise<SinkRegistration | undefined> {
  try {
    await ensureDemoPaymentLinks(api, logger);
    return await ensureSinkWebhook(api, sinkUrl, previous);
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, "dev mode: playground setup failed");
    return undefined;
  }
}

/** Where this server is reached from this machine (HOST=0.0.0.0 listens on loopback too). */
function loopbackOrigin(url: string): string {
  const u = new URL(url);
  if (u.hostname === "0.0.0.0") u.hostname = "127.0.0.1";
  if (u.hostname === "[::]") u.hostname = "[::1]";
  return u.origin;
}

async function ensureDemoStore(
  config: Config,
  opened: OpenedDatabase,
  previous: Partial<DevInfo> | undefined,
): Promise<Omit<DevInfo, "apiUrl">> {
  const keys = new ApiKeyService(opened.db);
  if (previous?.storeId && previous.apiKey) {
    const { apiKey, storeId } = previous;
    const live = (await keys.list(storeId)).some((k) => !k.revokedAt && apiKey.startsWith(`${k.prefix}_`));
    if (live) {
      await ensureDemoWallet(config, opened, storeId);
      return { apiKey, storeId };
    }
  }
  const stores = new StoreService(opened.db, {
    invoicePrefix: config.invoicePrefix,
    defaultCurrency: config.defaultCurrency,
  });
  const existing = await stores.list();
  const store = existing[0] ?? (await stores.create({ name: "Demo store" }));
  const created = await keys.create({ storeId: store.id, name: "dev", access: "full" });
  await ensureDemoWallet(config, opened, store.id);
  return { apiKey: created.key, storeId: store.id };
}

/**
 * The demo store's wallet on regtest: a public descriptor computed once, offline, from a published
 * dev-only seed (docs/dev-mode.md); btpay itself never sees the private key.
 */
export const DEV_REGTEST_DESCRIPTOR =
  "wpkh([c520773f/84'/1'/0']tpubDC5aPcCVFiFqoe2VRymedq8f6YoXgPfBNv6D5X8efZKZsyw9xN7yejJdenMpvSDKriHCwpCmJJSdgF6fu64MsKxhXE6QDCqjaoqFg1TcqyF/<0;1>/*)";

async function ensureDemoWallet(config: Config, opened: OpenedDatabase, storeId: string): Promise<void> {
  if (config.network !== "regtest") return;
  const wallets = new WalletService(opened.db, { network: config.network, defaultGapLimit: config.gapLimit });
  if (await opened.db.repos().wallets.active(storeId)) return;
  await wallets.set(storeId, { descriptor: DEV_REGTEST_DESCRIPTOR });
}

function devchainHelp(d: DevChainInfo, url: string): string[] {
  const rpc = (method: string, params: string) =>
    `curl -s --data-binary '{"jsonrpc":"1.0","id":1,"method":"${method}","params":${params}}' ${d.bitcoindRpcUrl}`;
  return [
    `  devchain: Bitcoin Core RPC ${d.bitcoindRpcUrl}`,
    `            Esplora ${d.esploraUrl}   Electrum ${d.electrum}   ZMQ ${d.zmqUrl}`,
    `  Pay:      ${rpc("sendtoaddress", '["<payment_address>", "0.001"]')}`,
    `  Confirm:  ${rpc("generatetoaddress", `[1, "${d.minerAddress}"]`)}`,
    `  Simulate: curl -s -X POST -H "content-type: application/json" -d '{"ref":"<ref>","amount":"full"}' ${url}/dev/api/pay`,
    "            (also /dev/api/mine, /reorg, /rbf: docs/playground.md)",
  ];
}
