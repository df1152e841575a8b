import { BitcoindSource } from "../../src/chain/bitcoind-source.js";
import type { ChainSource } from "../../src/chain/chain-source.js";
import { type DevNode, type DevNodeOptions, startDevNode } from "../../src/chain/devchain/dev-node.js";
import { ElectrumSource } from "../../src/chain/electrum-source.js";
import { EsploraSource } from "../../src/chain/esplora-source.js";
import { chainContract } from "./helpers/chain-contract.js";
import { coreRpc } from "./helpers/core-rpc.js";

// The contract suite against each adapter, each over its own devchain speaking that protocol.
const devchainTarget =
  (makeSource: (node: DevNode) => ChainSource, opts: DevNodeOptions = {}) =>
  async () => {
    const node = await startDevNode(opts);
    return {
      rpc: coreRpc(node.rpc.url),
      makeSource: () => makeSource(node),
      dropFromMempool: (txid: string) => {
        node.chain.removeFromMempool(txid);
      },
      faults: node.chain.faults,
      close: () => node.close(),
    };
  };

chainContract(
  "Bitcoin Core JSON-RPC (devchain)",
  devchainTarget((node) => new BitcoindSource({ url: node.rpc.url })),
);
chainContract(
  "Bitcoin Core JSON-RPC + ZMQ (devchain)",
  devchainTarget((node) => new BitcoindSource({ url: node.rpc.url, zmqUrl: node.zmq?.url }), { zmq: true }),
);
chainContract(
  "Esplora (devchain)",
  devchainTarget((node) => new EsploraSource({ baseUrl: node.esplora.url, maxRateLimitRetries: 1, maxBackoffMs: 50 })),
);
chainContract(
  "Electrum (devchain)",
  devchainTarget((node) => new ElectrumSource({ host: node.electrum.host, port: node.electrum.port })),
);
