/**
 * The Bitcoin Core RPC methods devchain answers, with Core 27's parameters (positional or named),
 * answer shapes and error codes/messages. Each handler reads its parameters, asks the chain, and
 * shapes the answer; amounts are `BtcAmount` so the server writes them exactly.
 */
import { Transaction } from "bitcoinjs-lib";
import { btc } from "../json-exact.js";
import type { DevChainImpl } from "./chain.js";
import { REGTEST_DIFFICULTY, REGTEST_GENESIS_HASH } from "./consensus.js";
import { blockToJson, headerToJson, mempoolEntryToJson, txToJson } from "./core-format.js";
import { toHex } from "./hex.js";
import {
  amountParam,
  boolParam,
  hashParam,
  intParam,
  numberParam,
  positional,
  RPC_INVALID_PARAMETER,
  stringParam,
  verbosityParam,
} from "./rpc-params.js";
import { scriptPubKeyInfo } from "./script-info.js";
import { type DevBlock, DevChainError } from "./types.js";

const RPC_METHOD_NOT_FOUND = -32601;
const RPC_INVALID_ADDRESS_OR_KEY = -5;
const RPC_TRANSACTION_ERROR = -25;
const RPC_DESERIALIZATION_ERROR = -22;

interface RpcMethod {
  params: readonly string[];
  run(chain: DevChainImpl, args: unknown[]): unknown;
}

function block(chain: DevChainImpl, value: unknown, name = "blockhash"): DevBlock {
  const found = chain.blockByHash(hashParam(value, name));
  if (!found) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
  return found;
}

function chainworkOfTip(chain: DevChainImpl): string {
  return (BigInt(chain.tip().height + 1) * 2n).toString(16).padStart(64, "0");
}

export const RPC_METHODS: Record<string, RpcMethod> = {
  getblockchaininfo: {
    params: [],
    run: (chain) => {
      const tip = chain.tip();
      return {
        chain: "regtest",
        blocks: tip.height,
        headers: tip.height,
        bestblockhash: tip.hash,
        difficulty: REGTEST_DIFFICULTY,
        time: tip.time,
        mediantime: chain.medianTimePast(),
        verificationprogress: 1,
        initialblockdownload: false,
        chainwork: chainworkOfTip(chain),
        size_on_disk: 0,
        pruned: false,
        warnings: "",
      };
    },
  },
  getblockcount: { params: [], run: (chain) => chain.tip().height },
  getbestblockhash: { params: [], run: (chain) => chain.tip().hash },
  getblockhash: {
    params: ["height"],
    run: (chain, [height]) => {
      const found = chain.blockAtHeight(intParam(height, "height"));
      if (!found) throw new DevChainError(RPC_INVALID_PARAMETER, "Block height out of range");
      return found.hash;
    },
  },
  getblockheader: {
    params: ["blockhash", "verbose"],
    run: (chain, [hash, verbose]) => {
      const found = block(chain, hash);
      return boolParam(verbose, "verbose", true) ? headerToJson(chain, found) : toHex(found.header);
    },
  },
  getblock: {
    params: ["blockhash", "verbosity"],
    run: (chain, [hash, verbosity]) => {
      const found = block(chain, hash);
      const level = verbosityParam(verbosity, "verbosity", 1);
      if (level <= 0) return found.block.toHex();
      return blockToJson(chain, found, level === 1 ? 1 : level === 2 ? 2 : 3);
    },
  },
  getrawmempool: {
    params: ["verbose", "mempool_sequence"],
    run: (chain, [verbose, sequence]) => {
      if (boolParam(sequence, "mempool_sequence", false)) {
        throw new DevChainError(RPC_INVALID_PARAMETER, "devchain does not track mempool sequence numbers");
      }
      const txids = chain.mempoolTxids();
      if (!boolParam(verbose, "verbose", false)) return txids;
      return Object.fromEntries(txids.map((txid) => [txid, mempoolEntryToJson(chain, txid)]));
    },
  },
  getmempoolentry: {
    params: ["txid"],
    run: (chain, [txid]) => {
      const entry = mempoolEntryToJson(chain, hashParam(txid, "txid"));
      if (!entry) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
      return entry;
    },
  },
  getmempoolinfo: {
    params: [],
    run: (chain) => {
      const entries = chain.mempoolTxids().map((txid) => chain.mempoolTx(txid)!);
      return {
        loaded: true,
        size: entries.length,
        bytes: entries.reduce((sum, e) => sum + e.vsize, 0),
        usage: entries.reduce((sum, e) => sum + e.weight, 0),
        total_fee: btc(entries.reduce((sum, e) => sum + e.feeSats, 0n)),
        maxmempool: 300_000_000,
        mempoolminfee: btc(1000n),
        minrelaytxfee: btc(1000n),
        incrementalrelayfee: btc(1000n),
        unbroadcastcount: 0,
        fullrbf: true,
      };
    },
  },
  getrawtransaction: {
    params: ["txid", "verbosity", "blockhash"],
    run: (chain, [txidParam, verbosityValue, blockhash]) =>
      getRawTransaction(chain, txidParam, verbosityValue, blockhash),
  },
  sendrawtransaction: {
    params: ["hexstring", "maxfeerate", "maxburnamount"],
    run: (chain, [hexParam, maxFeeRate, maxBurn]) => {
      const hex = stringParam(hexParam, "hexstring");
      let tx: Transaction;
      try {
        tx = Transaction.fromHex(hex);
      } catch {
        throw new DevChainError(
          RPC_DESERIALIZATION_ERROR,
          "TX decode failed. Make sure the tx has at least one input.",
        );
      }
      const burnLimit = maxBurn === undefined || maxBurn === null ? 0n : amountParam(maxBurn, "maxburnamount");
      if (tx.outs.some((o) => o.script[0] === 0x6a && o.value > burnLimit)) {
        throw new DevChainError(
          RPC_TRANSACTION_ERROR,
          "Unspendable output exceeds maximum configured by user (maxburnamount)",
        );
      }
      // maxfeerate is BTC/kvB (default 0.10); 0 disables the check.
      const maxSatPerKvb =
        maxFeeRate === undefined || maxFeeRate === null ? 10_000_000n : amountParam(maxFeeRate, "maxfeerate");
      // Like Core: validate first (its errors win), then compare the fee with the limit.
      const { feeSats, vsize } = chain.testMempoolAccept(tx);
      if (maxSatPerKvb > 0n && feeSats * 1000n > maxSatPerKvb * BigInt(vsize)) {
        throw new DevChainError(
          RPC_TRANSACTION_ERROR,
          "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
        );
      }
      return chain.sendRawTransaction(hex);
    },
  },
  gettxout: {
    params: ["txid", "n", "include_mempool"],
    run: (chain, [txid, n, includeMempool]) => {
      const out = chain.getTxOut(
        hashParam(txid, "txid"),
        intParam(n, "n"),
        boolParam(includeMempool, "include_mempool", true),
      );
      if (!out) return null;
      return {
        bestblock: out.bestBlockHash,
        confirmations: out.confirmations,
        value: btc(out.valueSats),
        scriptPubKey: scriptPubKeyInfo(Buffer.from(out.scriptPubKeyHex, "hex"), chain.network),
        coinbase: out.coinbase,
      };
    },
  },
  estimatesmartfee: {
    params: ["conf_target", "estimate_mode"],
    run: (chain, [target, mode]) => {
      const blocks = intParam(target, "conf_target");
      if (blocks < 1 || blocks > 1008) {
        throw new DevChainError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008");
      }
      stringParam(mode, "estimate_mode", "conservative");
      const satPerKvb = BigInt(Math.ceil(chain.estimateFeeRate(blocks) * 1000));
      return { feerate: btc(satPerKvb), blocks: Math.max(2, blocks) };
    },
  },
  getnewaddress: {
    params: ["label", "address_type"],
    run: (chain, [label, type]) => {
      stringParam(label, "label", "");
      const addressType = stringParam(type, "address_type", "bech32");
      if (addressType !== "bech32") {
        throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, `Unknown address type '${addressType}'`);
      }
      return chain.getNewAddress();
    },
  },
  sendtoaddress: {
    params: [
      "address",
      "amount",
      "comment",
      "comment_to",
      "subtractfeefromamount",
      "replaceable",
      "conf_target",
      "estimate_mode",
      "avoid_reuse",
      "fee_rate",
      "verbose",
    ],
    run: (chain, args) => {
      const address = stringParam(args[0], "address");
      const amount = amountParam(args[1], "amount");
      if (boolParam(args[4], "subtractfeefromamount", false)) {
        throw new DevChainError(RPC_INVALID_PARAMETER, "devchain's wallet does not support subtractfeefromamount");
      }
      const feeRateSatVb = numberParam(args[9], "fee_rate");
      const txid = chain.sendToAddress(address, amount, feeRateSatVb === undefined ? {} : { feeRateSatVb });
      if (!boolParam(args[10], "verbose", false)) return txid;
      return { txid, fee_reason: feeRateSatVb === undefined ? "Fallback fee" : "Explicit" };
    },
  },
  generatetoaddress: {
    params: ["nblocks", "address", "maxtries"],
    run: (chain, [nblocks, address]) =>
      chain.generateToAddress(intParam(nblocks, "nblocks"), stringParam(address, "address")),
  },
  invalidateblock: {
    params: ["blockhash"],
    run: (chain, [hash]) => {
      chain.invalidateBlock(hashParam(hash, "blockhash"));
      return null;
    },
  },
  reconsiderblock: {
    params: ["blockhash"],
    run: (chain, [hash]) => {
      chain.reconsiderBlock(hashParam(hash, "blockhash"));
      return null;
    },
  },
  bumpfee: {
    params: ["txid", "options"],
    run: (chain, [txid, options]) => {
      const opts = (options ?? {}) as Record<string, unknown>;
      const feeRateSatVb = numberParam(opts.fee_rate, "fee_rate");
      const bumped = chain.bumpFee(hashParam(txid, "txid"), feeRateSatVb === undefined ? {} : { feeRateSatVb });
      return { txid: bumped.txid, origfee: btc(bumped.origFeeSats), fee: btc(bumped.feeSats), errors: [] };
    },
  },
  getbalance: {
    params: ["dummy", "minconf", "include_watchonly", "avoid_reuse"],
    run: (chain) => btc(chain.walletBalance()),
  },
  getnetworkinfo: {
    params: [],
    run: () => ({
      version: 270000,
      subversion: "/Satoshi:27.0.0(devchain)/",
      protocolversion: 70016,
      localservices: "0000000000000c09",
      localservicesnames: ["NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"],
      localrelay: true,
      timeoffset: 0,
      networkactive: true,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: btc(1000n),
      incrementalfee: btc(1000n),
      localaddresses: [],
      warnings: "",
    }),
  },
};

function getRawTransaction(
  chain: DevChainImpl,
  txidParam: unknown,
  verbosityValue: unknown,
  blockhash: unknown,
): unknown {
  const txid = hashParam(txidParam, "txid");
  const verbosity = verbosityParam(verbosityValue, "verbosity", 0);
  let tx: Transaction;
  let where: DevBlock | undefined;
  const given = blockhash === undefined || blockhash === null ? undefined : hashParam(blockhash, "blockhash");
  if (given) {
    where = chain.blockByHash(given);
    if (!where) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
    const index = where.txids.indexOf(txid);
    if (index < 0) {
      throw new DevChainError(
        RPC_INVALID_ADDRESS_OR_KEY,
        "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
      );
    }
    tx = where.block.transactions![index]!;
  } else {
    if (txid === chain.blockByHash(REGTEST_GENESIS_HASH)!.txids[0]) {
      throw new DevChainError(
        RPC_INVALID_ADDRESS_OR_KEY,
        "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved",
      );
    }
    const found = chain.getTx(txid);
    if (!found) {
      throw new DevChainError(
        RPC_INVALID_ADDRESS_OR_KEY,
        "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
      );
    }
    tx = found.tx;
    where = found.block ? chain.blockByHash(found.block.hash) : undefined;
  }
  if (verbosity <= 0) return tx.toHex();
  const inBest = where !== undefined && chain.isInBestChain(where.hash);
  // Like Core, fee and prevouts (verbosity 2) come from block undo data: confirmed transactions only.
  const spent = verbosity >= 2 && inBest ? chain.spentCoins(txid) : undefined;
  const json: Record<string, unknown> = given ? { in_active_chain: inBest } : {};
  Object.assign(json, txToJson(chain, tx, { spent, prevout: spent !== undefined, hex: true }));
  if (where) {
    json.blockhash = where.hash;
    json.confirmations = inBest ? chain.confirmations(where.hash) : 0;
    if (inBest) {
      json.time = where.time;
      json.blocktime = where.time;
    }
  }
  return json;
}

/** Runs one call; unknown methods answer -32601 like Core. */
export function callRpc(chain: DevChainImpl, method: string, params: unknown): unknown {
  const handler = Object.hasOwn(RPC_METHODS, method) ? RPC_METHODS[method] : undefined;
  if (!handler) throw new DevChainError(RPC_METHOD_NOT_FOUND, "Method not found");
  return handler.run(chain, positional(params, handler.params));
}
