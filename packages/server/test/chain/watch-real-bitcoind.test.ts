import { describe, it } from "vitest";
import { BitcoindSource } from "../../src/chain/bitcoind-source.js";
import { chainContract } from "./helpers/chain-contract.js";
import { coreRpc } from "./helpers/core-rpc.js";

// The same contract suite against a real `bitcoind -regtest` with a loaded, funded wallet, e.g.
//   BTPAY_TEST_BITCOIND_URL=http://user:pass@127.0.0.1:18443/ npm test
// No Bitcoin node can be installed on the CI machines, so there it reports one skipped test saying so.
const url = process.env.BTPAY_TEST_BITCOIND_URL;

if (url) {
  chainContract("a real bitcoind (BTPAY_TEST_BITCOIND_URL)", async () => ({
    rpc: coreRpc(url),
    makeSource: () => new BitcoindSource({ url }),
    async close() {},
  }));
} else {
  describe("chain watching over a real bitcoind", () => {
    it.skip("runs when BTPAY_TEST_BITCOIND_URL points at a regtest bitcoind", () => {});
  });
}
