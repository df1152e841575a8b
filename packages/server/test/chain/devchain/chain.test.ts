import { address, Block, script, Transaction } from "bitcoinjs-lib";
import { describe, expect, it } from "vitest";
import { createDevChain, type DevChainImpl } from "../../../src/chain/devchain/chain.js";
import { REGTEST_GENESIS_HASH, subsidySats } from "../../../src/chain/devchain/consensus.js";
import { toHex } from "../../../src/chain/devchain/hex.js";
import { errorOf, fundedKey, recording } from "./helpers.js";
import { TestKey } from "./test-key.js";

const COIN = 100_000_000n;

const scriptHex = (chain: DevChainImpl, addr: string) => toHex(address.toOutputScript(addr, chain.network));

describe("devchain blocks", () => {
  it("starts from the regtest genesis block and premines 101 blocks to its wallet", () => {
    const chain = createDevChain();
    expect(chain.blockAtHeight(0)!.hash).toBe(REGTEST_GENESIS_HASH);
    expect(chain.tip().height).toBe(101);
    // Only the first coinbase is mature for the wallet (depth 101), as in Core.
    expect(chain.walletBalance()).toBe(50n * COIN);
  });

  it("mines valid regtest blocks: proof of work, merkle root, witness commitment, BIP34 height, links", () => {
    const chain = createDevChain();
    chain.sendToAddress(chain.getNewAddress(), COIN);
    chain.generateToAddress(2, chain.getNewAddress());
    for (let h = 1; h <= chain.tip().height; h++) {
      const dev = chain.blockAtHeight(h)!;
      const block = Block.fromHex(dev.block.toHex());
      expect(block.getId()).toBe(dev.hash);
      expect(toHex(block.toBuffer(true))).toBe(toHex(dev.header));
      expect(block.bits).toBe(0x207fffff);
      expect(block.checkProofOfWork()).toBe(true);
      expect(block.checkTxRoots()).toBe(true);
      expect(block.hasWitnessCommit()).toBe(true);
      expect(dev.prevHash).toBe(chain.blockAtHeight(h - 1)!.hash);
      expect(block.timestamp).toBeGreaterThan(chain.blockAtHeight(h - 1)!.time);
      const coinbase = block.transactions![0]!;
      const [height] = script.decompile(coinbase.ins[0]!.script)!;
      // BIP34 as Core writes it: OP_1..OP_16 for small heights, a minimal script number above.
      expect(typeof height === "number" ? height - 0x50 : script.number.decode(height!)).toBe(h);
      expect(dev.txids).toEqual(block.transactions!.map((tx) => tx.getId()));
    }
    const withTx = chain.blockAtHeight(102)!;
    expect(withTx.txids).toHaveLength(2);
    const fee = chain.spentCoins(withTx.txids[1]!)!.reduce((s, c) => s + c.valueSats, 0n) - sumOuts(withTx, 1);
    expect(sumOuts(withTx, 0)).toBe(subsidySats(102) + fee);
  });

  it("halves the subsidy every 150 blocks", () => {
    expect(subsidySats(149)).toBe(50n * COIN);
    expect(subsidySats(150)).toBe(25n * COIN);
    expect(subsidySats(300)).toBe(1_250_000_000n);
  });
});

function sumOuts(block: { block: Block }, index: number): bigint {
  return block.block.transactions![index]!.outs.reduce((s, o) => s + o.value, 0n);
}

describe("devchain mempool and wallet", () => {
  it("sends, mines and confirms a payment, reporting events", () => {
    const chain = createDevChain();
    const events = recording(chain);
    const to = chain.getNewAddress();
    const spk = scriptHex(chain, to);
    const txid = chain.sendToAddress(to, 12_345n);
    expect(chain.mempoolTxids()).toEqual([txid]);
    expect(chain.getTx(txid)!.block).toBeNull();
    expect(chain.mempoolEntry(txid)).toMatchObject({ depends: [], bip125Replaceable: true });
    expect(chain.scriptHistory(spk)).toEqual([{ txid, height: 0, feeSats: chain.mempoolEntry(txid)!.feeSats }]);
    expect(chain.scriptUtxos(spk)).toEqual([{ txid, vout: 0, valueSats: 12_345n, height: 0 }]);
    expect(events).toEqual([{ type: "tx", txid, tx: expect.any(Transaction) }]);

    const [hash] = chain.generateToAddress(1, to);
    expect(chain.mempoolTxids()).toEqual([]);
    expect(chain.getTx(txid)!.block).toMatchObject({ hash, height: 102, index: 1 });
    const coinbase = chain.blockAtHeight(102)!.txids[0]!;
    expect(chain.scriptHistory(spk)).toEqual([
      { txid: coinbase, height: 102 },
      { txid, height: 102 },
    ]);
    expect(chain.scriptUtxos(spk).map((u) => u.valueSats)).toContain(12_345n);
    expect(chain.getTxOut(txid, 0, true)).toMatchObject({ valueSats: 12_345n, confirmations: 1, coinbase: false });
    chain.generateToAddress(2, to);
    expect(chain.getTxOut(txid, 0, true)!.confirmations).toBe(3);
    expect(chain.confirmations(hash!)).toBe(3);
    expect(events.at(-1)).toMatchObject({ type: "block", block: { height: 104 } });
  });

  it("chains unconfirmed transactions and mines parents before children", () => {
    const chain = createDevChain();
    const first = chain.sendToAddress(chain.getNewAddress(), COIN);
    // The only mature coin is spent, so the second payment must spend the first one's change.
    const second = chain.sendToAddress(chain.getNewAddress(), COIN);
    expect(chain.mempoolEntry(second)!.depends).toEqual([first]);
    expect(chain.walletBalance()).toBe(
      50n * COIN - chain.mempoolEntry(first)!.feeSats - chain.mempoolEntry(second)!.feeSats,
    );
    const [hash] = chain.generateToAddress(1, chain.getNewAddress());
    expect(chain.blockByHash(hash!)!.txids.slice(1)).toEqual([first, second]);
  });

  it("refuses to spend an immature coinbase", () => {
    const chain = createDevChain();
    const young = chain.blockAtHeight(50)!;
    const tx = new Transaction();
    tx.addInput(young.block.transactions![0]!.getHash(), 0);
    tx.addOutput(address.toOutputScript(chain.getNewAddress(), chain.network), 1000n);
    const err = errorOf(() => chain.sendRawTransaction(tx.toHex()));
    expect(err.code).toBe(-26);
    expect(err.message).toBe("bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 52");
  });

  it("answers Core's errors for bad transactions", () => {
    const { chain, key, coin } = fundedKey();
    expect(errorOf(() => chain.sendRawTransaction("00")).code).toBe(-22);
    const missing = key.spend([{ ...coin, txid: "11".repeat(32) }], [{ script: key.script, valueSats: 1000n }]);
    expect(errorOf(() => chain.sendRawTransaction(missing.toHex()))).toMatchObject({
      code: -25,
      message: "bad-txns-inputs-missingorspent",
    });
    const tooMuch = key.spend([coin], [{ script: key.script, valueSats: coin.valueSats + 1n }]);
    expect(errorOf(() => chain.sendRawTransaction(tooMuch.toHex())).message).toMatch(/^bad-txns-in-belowout/);
    const badSig = key.spend([coin], [{ script: key.script, valueSats: 90_000n }], { badSig: true });
    expect(errorOf(() => chain.sendRawTransaction(badSig.toHex()))).toMatchObject({
      code: -26,
      message: "mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)",
    });
    const noFee = key.spend([coin], [{ script: key.script, valueSats: coin.valueSats - 10n }]);
    expect(errorOf(() => chain.sendRawTransaction(noFee.toHex())).message).toMatch(/^min relay fee not met/);
    const good = key.spend([coin], [{ script: key.script, valueSats: 90_000n }]);
    const txid = chain.sendRawTransaction(good.toHex());
    expect(chain.sendRawTransaction(good.toHex())).toBe(txid); // already in the mempool: same answer
    chain.generateToAddress(1, chain.getNewAddress());
    expect(errorOf(() => chain.sendRawTransaction(good.toHex()))).toMatchObject({
      code: -27,
      message: "Transaction already in block chain",
    });
  });
});

describe("devchain replacement", () => {
  it("bumpfee replaces the transaction: same recipient, higher fee, less change", () => {
    const chain = createDevChain();
    const events = recording(chain);
    const to = chain.getNewAddress();
    const txid = chain.sendToAddress(to, 3n * COIN);
    const before = chain.getTx(txid)!.tx;
    const origFee = chain.mempoolEntry(txid)!.feeSats;
    const bumped = chain.bumpFee(txid);
    expect(bumped.origFeeSats).toBe(origFee);
    expect(chain.mempoolEntry(bumped.txid)!.feeSats).toBe(bumped.feeSats);
    expect(bumped.feeSats).toBeGreaterThan(bumped.origFeeSats);
    expect(chain.mempoolTxids()).toEqual([bumped.txid]);
    expect(chain.getTx(txid)).toBeUndefined();
    const after = chain.getTx(bumped.txid)!.tx;
    expect(after.outs[0]).toEqual(before.outs[0]);
    expect(after.outs[1]!.value).toBe(before.outs[1]!.value - (bumped.feeSats - bumped.origFeeSats));
    expect(events.map((e) => e.type)).toEqual(["tx", "tx-removed", "tx"]);
    expect(events[1]).toEqual({ type: "tx-removed", txid, reason: "replaced" });
  });

  it("refuses a double spend that does not pay more, accepts one that does (full RBF)", () => {
    const { chain, key, coin } = fundedKey();
    const other = new TestKey(chain.network);
    const first = chain.sendRawTransaction(key.spend([coin], [{ script: key.script, valueSats: 90_000n }]).toHex());
    const child = chain.sendRawTransaction(
      key.spend([{ txid: first, vout: 0, valueSats: 90_000n }], [{ script: key.script, valueSats: 89_000n }]).toHex(),
    );
    const same = key.spend([coin], [{ script: other.script, valueSats: 90_000n }]);
    expect(errorOf(() => chain.sendRawTransaction(same.toHex()))).toMatchObject({ code: -26 });
    expect(errorOf(() => chain.sendRawTransaction(same.toHex())).message).toMatch(
      /^insufficient fee, rejecting replacement/,
    );
    // Must beat the fees of the conflict AND its descendant (10_000 + 1_000).
    const notEnough = key.spend([coin], [{ script: other.script, valueSats: 89_500n }]);
    expect(errorOf(() => chain.sendRawTransaction(notEnough.toHex())).message).toMatch(
      /less fees than conflicting txs/,
    );
    const events = recording(chain);
    const better = chain.sendRawTransaction(key.spend([coin], [{ script: other.script, valueSats: 80_000n }]).toHex());
    expect(chain.mempoolTxids()).toEqual([better]);
    expect(events.filter((e) => e.type === "tx-removed")).toEqual([
      { type: "tx-removed", txid: first, reason: "replaced" },
      { type: "tx-removed", txid: child, reason: "replaced" },
    ]);
  });

  it("a block with a double spend evicts the mempool transaction as a conflict", () => {
    const { chain, key, coin } = fundedKey();
    const inMempool = chain.sendRawTransaction(key.spend([coin], [{ script: key.script, valueSats: 90_000n }]).toHex());
    const events = recording(chain);
    const rival = key.spend([coin], [{ script: key.script, valueSats: 95_000n }]);
    chain.mineBlockWith([], chain.getNewAddress(), [rival.toHex()]);
    expect(chain.getTx(inMempool)).toBeUndefined();
    expect(chain.getTx(rival.getId())!.block).not.toBeNull();
    expect(events.map((e) => e.type)).toEqual(["tx-removed", "block"]);
    expect(events[0]).toEqual({ type: "tx-removed", txid: inMempool, reason: "conflict" });
  });
});

describe("devchain reorgs", () => {
  it("invalidateblock disconnects blocks, returns their transactions to the mempool, and a new chain wins", () => {
    const chain = createDevChain();
    const to = chain.getNewAddress();
    const txid = chain.sendToAddress(to, COIN);
    const [a1, a2] = chain.generateToAddress(2, to);
    expect(chain.getTx(txid)!.block!.hash).toBe(a1);
    const events = recording(chain);

    chain.invalidateBlock(a1!);
    expect(chain.tip().height).toBe(101);
    expect(chain.isInBestChain(a1!)).toBe(false);
    expect(chain.confirmations(a2!)).toBe(-1);
    expect(chain.blockByHash(a2!)).toBeDefined(); // still readable, as in Core
    expect(chain.mempoolTxids()).toEqual([txid]);
    expect(chain.getTx(txid)!.block).toBeNull();
    expect(events).toEqual([
      { type: "reorg", disconnected: [a2, a1], tip: chain.tip() },
      { type: "tx", txid, tx: expect.any(Transaction) },
    ]);

    const [b1, b2, b3] = chain.generateToAddress(3, to);
    expect(chain.getTx(txid)!.block).toMatchObject({ hash: b1, height: 102 });
    expect(chain.blockAtHeight(104)!.hash).toBe(b3);
    expect(chain.confirmations(b2!)).toBe(2);
    // Reconsidering the shorter old branch does not switch back.
    chain.reconsiderBlock(a1!);
    expect(chain.tip().hash).toBe(b3);
  });

  it("reconsiderblock switches back to a longer branch", () => {
    const chain = createDevChain();
    const to = chain.getNewAddress();
    const [a1, , a3] = chain.generateToAddress(3, to);
    chain.invalidateBlock(a1!);
    const [b1] = chain.generateToAddress(1, to);
    const events = recording(chain);
    chain.reconsiderBlock(a1!);
    expect(chain.tip().hash).toBe(a3);
    expect(events.map((e) => e.type)).toEqual(["reorg", "block", "block", "block"]);
    expect(events[0]).toMatchObject({ disconnected: [b1], tip: { height: 101 } });
  });

  it("a reorg can make a confirmed payment disappear entirely", () => {
    const chain = createDevChain();
    const to = chain.getNewAddress();
    const spk = scriptHex(chain, to);
    const txid = chain.sendToAddress(to, COIN);
    const [a1] = chain.generateToAddress(1, chain.getNewAddress());
    chain.invalidateBlock(a1!);
    chain.removeFromMempool(txid);
    chain.generateToAddress(2, chain.getNewAddress());
    expect(chain.getTx(txid)).toBeUndefined();
    expect(chain.scriptHistory(spk)).toEqual([]);
    expect(chain.scriptUtxos(spk)).toEqual([]);
  });

  it("drops mempool transactions that spend a coinbase the reorg made immature", () => {
    const chain = createDevChain();
    const key = new TestKey(chain.network);
    const [keyBlock] = chain.generateToAddress(1, key.address);
    const tip = chain.generateToAddress(99, chain.getNewAddress()).at(-1)!;
    // Height 102's coinbase is spendable in block 202 (100 blocks later), i.e. now.
    const coinbase = { txid: chain.blockByHash(keyBlock!)!.txids[0]!, vout: 0, valueSats: subsidySats(102) };
    const txid = chain.sendRawTransaction(key.spend([coinbase], [{ script: key.script, valueSats: COIN }]).toHex());
    const events = recording(chain);
    chain.invalidateBlock(tip);
    expect(chain.getTx(txid)).toBeUndefined();
    expect(events).toEqual([
      { type: "reorg", disconnected: [tip], tip: chain.tip() },
      { type: "tx-removed", txid, reason: "conflict" },
    ]);
  });
});
