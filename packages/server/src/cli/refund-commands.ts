import { parseArgs } from "node:util";
import { pino } from "pino";
import type { Config } from "../config.js";
import { openDatabase } from "../db/connect.js";
import { formatBtc } from "../domain/pricing.js";
import { createLogger } from "../logger.js";
import { REFUND_STATES, type RefundRecord, type RefundState } from "../ports/refunds.js";
import { systemClock } from "../ports.js";
import { RateService } from "../services/rates.js";
import { RefundService, refundAmountText } from "../services/refunds.js";
import { StoreService } from "../services/stores.js";

export const REFUND_HELP = `  refund list [--store S] [--status awaiting_claim|claimed|paid|cancelled]
                                          refunds owed to payers (shop plugins' pull payments):
                                          ref, status, amount, sats to send, address, txid, name
  refund mark-paid <ref> --txid T         record that you paid a claimed refund (btpay sends
                                          nothing: pay it from your own wallet first)`;

type Out = { out: (line: string) => void; err: (line: string) => void };

class UsageError extends Error {}

/**
 * `btpay refund ...`, in its own module so cli/main.ts only dispatches to it. Usage errors exit 2
 * with this group's help; refusals (DomainError: unknown ref, wrong state, bad txid) propagate to
 * main, which prints them and exits 1.
 */
export async function refundCommand(config: Config, action: string | undefined, args: string[], io: Out) {
  try {
    if (action === "list") return await list(config, args, io);
    if (action === "mark-paid") return await markPaid(config, args, io);
    throw new UsageError(`unknown refund command "${action ?? ""}"`);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`btpay: ${(err as Error).message}\n\nUsage:\n${REFUND_HELP}`);
      return 2;
    }
    throw err;
  }
}

async function list(config: Config, args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { store: { type: "string" }, status: { type: "string" } } });
  const status = values.status as RefundState | undefined;
  if (status !== undefined && !REFUND_STATES.includes(status)) {
    throw new UsageError(`--status must be one of ${REFUND_STATES.join(", ")}`);
  }
  return withRefunds(config, async ({ refunds, stores }) => {
    const store = await stores.resolve(values.store);
    // Page through everything: the CLI is for reading it all at once, and refunds are few.
    for (let offset = 0; ; offset += 100) {
      const page = await refunds.list(store.id, { status, limit: 100, offset });
      for (const r of page.refunds) io.out(line(r));
      if (page.refunds.length < 100) break;
    }
  });
}

async function markPaid(config: Config, args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { txid: { type: "string" }, store: { type: "string" } },
    allowPositionals: true,
  });
  const ref = positionals[0];
  if (!ref || positionals.length > 1) throw new UsageError("refund mark-paid needs exactly one refund ref");
  if (!values.txid) throw new UsageError("refund mark-paid needs --txid <the transaction that paid it>");
  const txid = values.txid;
  return withRefunds(config, async ({ refunds, stores }) => {
    // A ref is unique across stores, so --store is only a check when given.
    const storeId = values.store === undefined ? await refunds.storeOf(ref) : (await stores.resolve(values.store)).id;
    io.out(line(await refunds.markPaid(storeId, ref, txid)));
  });
}

/** One tab-separated line per refund, for people and for `cut`. */
function line(r: RefundRecord): string {
  return [
    r.ref,
    r.state,
    `${refundAmountText(r.amount, r.currency)} ${r.currency}`,
    r.claimAmountSats === null ? "-" : `${formatBtc(r.claimAmountSats)} BTC`,
    r.claimAddress ?? "-",
    r.txid ?? "-",
    r.name,
  ].join("\t");
}

async function withRefunds(
  config: Config,
  fn: (deps: { refunds: RefundService; stores: StoreService }) => Promise<void>,
): Promise<number> {
  // CLI logs go to stderr so stdout carries only the answer.
  const logger = createLogger(
    config.logLevel === "info" ? "warn" : config.logLevel,
    pino.destination({ dest: 2, sync: true }),
  );
  const opened = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, migrate: true },
    logger,
  );
  try {
    // Listing and marking paid never price anything: the rate service is there for claims only.
    const rates = new RateService(opened.db, systemClock, { fixed: null, maxAgeSeconds: config.rates.maxAgeSeconds });
    await fn({
      refunds: new RefundService(opened.db, systemClock, rates, config.network),
      stores: new StoreService(opened.db, {
        invoicePrefix: config.invoicePrefix,
        defaultCurrency: config.defaultCurrency,
      }),
    });
    return 0;
  } finally {
    await opened.db.close();
  }
}
