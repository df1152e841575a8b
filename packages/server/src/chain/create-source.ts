import type { ChainConfig } from "../config.js";
import { BitcoindSource } from "./bitcoind-source.js";
import type { ChainSource } from "./chain-source.js";
import { ElectrumSource } from "./electrum-source.js";
import { EsploraSource } from "./esplora-source.js";

/** The configured chain backend, or null when none is (payments are then not detected). */
export function createChainSource(chain: ChainConfig): ChainSource | null {
  switch (chain.backend) {
    case "none":
      return null;
    case "esplora":
      return new EsploraSource({ baseUrl: chain.esploraUrl as string, pollIntervalMs: chain.pollMs });
    case "bitcoind":
      return new BitcoindSource({
        url: chain.bitcoindRpcUrl as string,
        zmqUrl: chain.bitcoindZmqUrl,
        // With ZMQ pushing, the RPC poll is only a safety net (its default, 30 s).
        pollIntervalMs: chain.bitcoindZmqUrl ? undefined : Math.min(chain.pollMs, 2_000),
      });
    case "electrum": {
      const endpoint = chain.electrum as { host: string; port: number };
      return new ElectrumSource({ host: endpoint.host, port: endpoint.port, tls: chain.electrumTls });
    }
  }
}
