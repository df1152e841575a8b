import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type DevNode, startDevNode } from "../chain/devchain/dev-node.js";
import { type Config, loadConfig } from "../config.js";
import { type OpenedDatabase, openDatabase } from "../db/connect.js";
import { createLogger } from "../logger.js";
import { serve } from "../main.js";
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

/**
 * `npm start`: the server on the embedded database with a demo store and a key, written to
 * `<dataDir>/dev.json` (mode 600) so scripts and the playground can pick them up. The key is kept
 * there because the database only holds its hash.
 */
export async function startDev(io: { out: (l: string) => void }): Promise<void> {
  // Dev mode runs on regtest unless told otherwise, and prices from the local rate simulator.
  const chain = await startDevChainIfNeeded(process.env);
  // Dev mode lets webhooks reach http and local receivers (main.ts logs that it is on).
  const config = loadConfig({ BTPAY_NETWORK: "regtest", BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true", ...chain.env });
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
  const info = await ensureDemoStore(config, opened, devFile);
  await serve(config, logger, {
    opened,
    onClose: async () => {
      await chain.node?.close();
      await simulator?.close();
    },
    onReady: async (url) => {
      const dev = { ...info, apiUrl: `${url}/api/v1`, ...devchain };
      await writeFile(devFile, `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
      await chmod(devFile, 0o600);
      io.out(
        [
          "",
          `  btpay is running (dev mode, ${config.databaseUrl ? "PostgreSQL from DATABASE_URL" : `embedded database in ${config.dataDir}`})`,
          `  API:      ${dev.apiUrl}`,
          `  API key:  ${dev.apiKey}`,
          `  Docs:     ${url}/docs`,
          `  Try:      curl -H "Authorization: Bearer ${dev.apiKey}" ${dev.apiUrl}/invoices`,
          ...(devchain ? devchainHelp(devchain) : []),
          `  (also written to ${devFile})`,
          "",
        ].join("\n"),
      );
    },
  });
}

async function ensureDemoStore(
  config: Config,
  opened: OpenedDatabase,
  devFile: string,
): Promise<Omit<DevInfo, "apiUrl">> {
  {
    const previous = await readFile(devFile, "utf8").then(
      (t) => JSON.parse(t) as DevInfo,
      () => undefined,
    );
    const keys = new ApiKeyService(opened.db);
    if (previous) {
      const live = (await keys.list(previous.storeId)).some(
        (k) => !k.revokedAt && previous.apiKey.startsWith(`${k.prefix}_`),
      );
      if (live) {
        await ensureDemoWallet(config, opened, previous.storeId);
        return { apiKey: previous.apiKey, storeId: previous.storeId };
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

function devchainHelp(d: DevChainInfo): string[] {
  const rpc = (method: string, params: string) =>
    `curl -s --data-binary '{"jsonrpc":"1.0","id":1,"method":"${method}","params":${params}}' ${d.bitcoindRpcUrl}`;
  return [
    `  devchain: Bitcoin Core RPC ${d.bitcoindRpcUrl}`,
    `            Esplora ${d.esploraUrl}   Electrum ${d.electrum}   ZMQ ${d.zmqUrl}`,
    `  Pay:      ${rpc("sendtoaddress", '["<payment_address>", "0.001"]')}`,
    `  Confirm:  ${rpc("generatetoaddress", `[1, "${d.minerAddress}"]`)}`,
  ];
}
