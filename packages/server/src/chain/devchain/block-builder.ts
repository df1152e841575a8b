/**
 * Assembles a block the way Bitcoin Core's miner does on regtest: a coinbase with the BIP34 height
 * and an extranonce-like OP_0 in its scriptSig, the BIP141 witness reserved value in its witness and
 * the witness commitment as its last output, the merkle root over txids, then proof of work.
 */
import { Block, opcodes, script, Transaction } from "bitcoinjs-lib";
import { REGTEST_BITS, solveProofOfWork } from "./consensus.js";
import { hashFromId } from "./hex.js";

export interface BlockTemplate {
  prevHash: string;
  height: number;
  time: number;
  /** Non-coinbase transactions, parents before children. */
  txs: Transaction[];
  payoutScript: Uint8Array;
  /** Subsidy plus the fees of `txs`. */
  coinbaseValueSats: bigint;
}

const WITNESS_COMMITMENT_HEADER = Uint8Array.from([0xaa, 0x21, 0xa9, 0xed]);
/** Core's blocks version on regtest (BIP9 top bits, no deployment signalled). */
const BLOCK_VERSION = 0x20000000;

export function buildBlock(template: BlockTemplate, skipHash: (hash: string) => boolean): Block {
  const coinbase = new Transaction();
  coinbase.version = 2;
  // `script.compile` writes heights 1..16 as OP_1..OP_16, exactly as Core's `CScript() << nHeight`,
  // which BIP34 compares byte for byte.
  const scriptSig = script.compile([script.number.encode(template.height), opcodes.OP_0]);
  coinbase.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, scriptSig);
  coinbase.setWitness(0, [new Uint8Array(32)]);
  coinbase.addOutput(template.payoutScript, template.coinbaseValueSats);

  const block = new Block();
  block.version = BLOCK_VERSION;
  block.prevHash = hashFromId(template.prevHash);
  block.timestamp = template.time;
  block.bits = REGTEST_BITS;
  block.transactions = [coinbase, ...template.txs];
  // The coinbase's wtxid counts as zero, so the commitment can be computed before it is added.
  const commitment = Block.calculateMerkleRoot(block.transactions, true);
  coinbase.addOutput(
    script.compile([opcodes.OP_RETURN, Uint8Array.from([...WITNESS_COMMITMENT_HEADER, ...commitment])]),
    0n,
  );
  block.witnessCommit = commitment;
  block.merkleRoot = Block.calculateMerkleRoot(block.transactions);
  solveProofOfWork(block, skipHash);
  return block;
}
