import { parseArgs } from "node:util";
import {
  GREENFIELD_KEY_ACCESS,
  GREENFIELD_STORE_POLICIES,
  isGrantablePolicy,
  WOOCOMMERCE_PERMISSIONS,
} from "@btpay/woocommerce-bridge";
import { pino } from "pino";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/connect.js";
import { DomainError } from "../domain/errors.js";
import { createLogger, type Logger } from "../logger.js";
import { serve } from "../main.js";
import { ApiKeyService } from "../services/api-keys.js";
import { StoreService } from "../services/stores.js";
import { UserService } from "../services/users.js";
import { WalletService, type WalletView } from "../services/wallets.js";
import { startDev } from "./dev.js";
import { readSecret } from "./read-secret.js";
import { REFUND_HELP, refundCommand } from "./refund-commands.js";

const HELP = `btpay — self-hosted Bitcoin payments

Usage: btpay <command> [options]

  serve                                   run the server (PORT, default 5000)
  dev                                     run the server in dev mode (what 'npm start' does)
  migrate                                 apply pending database migrations
  store create --name N [--invoice-prefix P] [--currency C] [--markup PERCENT]
               [--confirmations 0|1|2|6] [--underpayment-tolerance PERCENT] [--owner EMAIL]
                                          create a store; prints only its id
  store list                              list stores
  store set-owner --store S --email E     make a user the store's owner (one per store)
  user create --email E                   create a store owner (who signs in to grant shop
                                          plugins a key); the password is read from stdin
                                          (at least 12 characters); prints only the user id
  api-key create [--name N] [--store S] [--read-only]
                                          create an API key; prints only the key (shown once)
                                          (on an empty database a default store is created)
  api-key create --greenfield [--store S] [--permissions P1,P2] [--name N]
                                          a key for BTCPay Greenfield plugins (WooCommerce);
                                          default permissions: what the WooCommerce plugin asks
  api-key list [--store S]                list keys (prefix, access, status; never the key)
  api-key revoke <id|prefix>              revoke a key at once
  wallet set [--store S] (--descriptor D | --xpub X) [--gap-limit N]
                                          set the store's watch-only wallet; prints its first
                                          five receive addresses to compare with your wallet
  wallet show [--store S]                 the wallet, its first addresses and gap-limit state
${REFUND_HELP}

The database is DATABASE_URL when set, else the embedded one in BTPAY_DATA_DIR (default ./data).
Commands work while a server is running on the same data directory.`;

class UsageError extends Error {}

type Out = { out: (line: string) => void; err: (line: string) => void };
const stdio: Out = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Runs one CLI invocation and returns the exit code (0 ok, 1 failure, 2 usage). */
export async function run(argv: string[], io: Out = stdio): Promise<number> {
  const [group, action, ...rest] = argv;
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  try {
    switch (group) {
      case "serve":
        await serve(config, createLogger(config.logLevel));
        return await new Promise<number>(() => {}); // runs until a signal ends the process
      case "dev":
        await startDev(io);
        return await new Promise<number>(() => {});
      case "migrate":
        return await withDb(config, async () => {
          // openDatabase already migrated; say what happened.
          io.err("database is up to date");
        });
      case "store":
        return await storeCommand(config, action, rest, io);
      case "user":
        return await userCommand(config, action, rest, io);
      case "api-key":
        return await apiKeyCommand(config, action, rest, io);
      case "wallet":
        return await walletCommand(config, action, rest, io);
      case "refund":
        return await refundCommand(config, action, rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${group}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`btpay: ${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (err instanceof DomainError || (err as Error).name?.endsWith("ConfigError")) {
      io.err(`btpay: ${(err as Error).message}`);
      return 1;
    }
    io.err(`btpay: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

/** CLI logs go to stderr so stdout carries only the answer (a key, an id), ready for `$(...)`. */
function cliLogger(config: Config): Logger {
  return createLogger(config.logLevel === "info" ? "warn" : config.logLevel, pino.destination({ dest: 2, sync: true }));
}

async function withDb(
  config: Config,
  fn: (deps: {
    stores: StoreService;
    keys: ApiKeyService;
    wallets: WalletService;
    users: UserService;
  }) => Promise<void>,
): Promise<number> {
  const logger = cliLogger(config);
  const opened = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, migrate: true },
    logger,
  );
  try {
    await fn({
      stores: new StoreService(opened.db, {
        invoicePrefix: config.invoicePrefix,
        defaultCurrency: config.defaultCurrency,
      }),
      keys: new ApiKeyService(opened.db),
      wallets: new WalletService(opened.db, { network: config.network, defaultGapLimit: config.gapLimit }),
      users: new UserService(opened.db),
    });
    return 0;
  } finally {
    await opened.db.close();
  }
}

function parse(args: string[], options: Record<string, { type: "string" | "boolean" }>, positionals = false) {
  return parseArgs({ args, options, allowPositionals: positionals, strict: true });
}

async function storeCommand(config: Config, action: string | undefined, args: string[], io: Out): Promise<number> {
  if (action === "create") {
    const { values } = parse(args, {
      name: { type: "string" },
      "invoice-prefix": { type: "string" },
      currency: { type: "string" },
      markup: { type: "string" },
      confirmations: { type: "string" },
      "underpayment-tolerance": { type: "string" },
      owner: { type: "string" },
    });
    if (!values.name) throw new UsageError("store create needs --name");
    const confirmations = values.confirmations as string | undefined;
    if (confirmations !== undefined && !/^[0-9]+$/.test(confirmations)) {
      throw new UsageError("--confirmations must be 0, 1, 2 or 6");
    }
    return withDb(config, async ({ stores, users }) => {
      // The owner must exist before the store is made, so a typo leaves nothing half done.
      const owner = values.owner === undefined ? null : await users.requireByEmail(values.owner as string);
      const store = await stores.create({
        name: values.name as string,
        invoicePrefix: values["invoice-prefix"] as string | undefined,
        defaultCurrency: values.currency as string | undefined,
        markupPercent: values.markup as string | undefined,
        requiredConfirmations: confirmations === undefined ? undefined : Number(confirmations),
        underpaymentTolerancePercent: values["underpayment-tolerance"] as string | undefined,
      });
      if (owner) await users.setStoreOwner(store.id, owner.email);
      io.out(store.id);
    });
  }
  if (action === "set-owner") {
    const { values } = parse(args, { store: { type: "string" }, email: { type: "string" } });
    if (!values.store || !values.email) throw new UsageError("store set-owner needs --store and --email");
    return withDb(config, async ({ users }) => {
      const user = await users.setStoreOwner(values.store as string, values.email as string);
      io.err(`${user.email} now owns store ${values.store as string}`);
    });
  }
  if (action === "list") {
    parse(args, {});
    return withDb(config, async ({ stores }) => {
      for (const s of await stores.list()) io.out(`${s.id}\t${s.name}\t${s.defaultCurrency}\t${s.invoicePrefix}`);
    });
  }
  throw new UsageError(`unknown store command "${action ?? ""}"`);
}

async function apiKeyCommand(config: Config, action: string | undefined, args: string[], io: Out): Promise<number> {
  if (action === "create") {
    const { values } = parse(args, {
      name: { type: "string" },
      store: { type: "string" },
      "read-only": { type: "boolean" },
      greenfield: { type: "boolean" },
      permissions: { type: "string" },
    });
    const permissions = greenfieldPermissions(values);
    return withDb(config, async ({ stores, keys }) => {
      const all = await stores.list();
      const store =
        values.store === undefined && all.length === 0
          ? await stores.create({ name: "Default store" })
          : await stores.resolve(values.store as string | undefined);
      const created = await keys.create({
        storeId: store.id,
        name: (values.name as string | undefined) ?? (permissions ? "WooCommerce" : "default"),
        access: permissions ? GREENFIELD_KEY_ACCESS : values["read-only"] ? "read_only" : "full",
        permissions,
      });
      io.out(created.key);
    });
  }
  if (action === "list") {
    const { values } = parse(args, { store: { type: "string" } });
    return withDb(config, async ({ keys }) => {
      for (const k of await keys.list(values.store as string | undefined)) {
        io.out(`${k.id}\t${k.prefix}\t${k.storeId}\t${k.access}\t${k.revokedAt ? "revoked" : "active"}\t${k.name}`);
      }
    });
  }
  if (action === "revoke") {
    const { positionals } = parse(args, {}, true);
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError("api-key revoke needs exactly one key id or prefix");
    return withDb(config, async ({ keys }) => {
      const k = await keys.revoke(target);
      io.err(`revoked ${k.prefix} (${k.name})`);
    });
  }
  throw new UsageError(`unknown api-key command "${action ?? ""}"`);
}

/** `--greenfield [--permissions p1,p2]`: the policies of a Greenfield key, or null for a btpay key. */
function greenfieldPermissions(values: Record<string, string | boolean | undefined>): string[] | null {
  if (!values.greenfield) {
    if (values.permissions !== undefined) throw new UsageError("--permissions needs --greenfield");
    return null;
  }
  if (values["read-only"]) throw new UsageError("--read-only is for btpay keys; give --permissions instead");
  if (values.permissions === undefined) return [...WOOCOMMERCE_PERMISSIONS];
  const asked = [
    ...new Set(
      String(values.permissions)
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = asked.filter((p) => !isGrantablePolicy(p));
  if (asked.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--permissions takes Greenfield store policies (${unknown.join(", ") || "none given"} is not one): ${Object.keys(GREENFIELD_STORE_POLICIES).join(", ")}`,
    );
  }
  return asked;
}

async function userCommand(config: Config, action: string | undefined, args: string[], io: Out): Promise<number> {
  if (action === "create") {
    const { values } = parse(args, { email: { type: "string" } });
    if (!values.email) throw new UsageError("user create needs --email (the password is read from stdin)");
    const password = await readSecret("Password (at least 12 characters): ");
    return withDb(config, async ({ users }) => {
      const user = await users.create({ email: values.email as string, password });
      io.out(user.id);
    });
  }
  throw new UsageError(`unknown user command "${action ?? ""}"`);
}

async function walletCommand(config: Config, action: string | undefined, args: string[], io: Out): Promise<number> {
  const print = (v: WalletView) => {
    io.out(`network:    ${v.wallet.network} (${v.wallet.scriptType})`);
    io.out(`receive:    ${v.wallet.receiveDescriptor}`);
    if (v.wallet.changeDescriptor) io.out(`change:     ${v.wallet.changeDescriptor}`);
    io.out(`gap limit:  ${v.wallet.gapLimit} (unpaid in a row: ${v.unpaidInRow})`);
    if (v.gapWarning) io.out(`WARNING:    ${v.gapWarning}`);
    io.out("first receive addresses (compare them with your wallet software):");
    for (const [i, a] of v.firstAddresses.entries()) io.out(`  ${i}  ${a}`);
  };
  if (action === "set") {
    const { values } = parse(args, {
      store: { type: "string" },
      descriptor: { type: "string" },
      xpub: { type: "string" },
      "gap-limit": { type: "string" },
    });
    const gap = values["gap-limit"] === undefined ? undefined : Number(values["gap-limit"]);
    if (gap !== undefined && (!Number.isInteger(gap) || gap < 1 || gap > 1000)) {
      throw new UsageError("--gap-limit must be a whole number from 1 to 1000");
    }
    return withDb(config, async ({ stores, wallets }) => {
      const store = await stores.resolve(values.store as string | undefined);
      const input: { xpub?: string; descriptor?: string; gap_limit?: number } = {};
      if (values.xpub !== undefined) input.xpub = values.xpub as string;
      if (values.descriptor !== undefined) input.descriptor = values.descriptor as string;
      if (gap !== undefined) input.gap_limit = gap;
      print(await wallets.set(store.id, input));
    });
  }
  if (action === "show") {
    const { values } = parse(args, { store: { type: "string" } });
    return withDb(config, async ({ stores, wallets }) => {
      const store = await stores.resolve(values.store as string | undefined);
      print(await wallets.get(store.id));
    });
  }
  throw new UsageError(`unknown wallet command "${action ?? ""}"`);
}
