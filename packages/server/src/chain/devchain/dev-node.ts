import { createDevChain, type DevChainImpl, type DevChainOptions } from "./chain.js";
import { type ElectrumServer, startElectrumServer } from "./electrum-server.js";
import { type EsploraServer, startEsploraServer } from "./esplora-server.js";
import { type RpcServer, startRpcServer } from "./rpc-server.js";

/** devchain with all three wire protocols on loopback: what dev mode and the chain tests run. */
export interface DevNode {
  chain: DevChainImpl;
  rpc: RpcServer;
  esplora: EsploraServer;
  electrum: ElectrumServer;
  /** `host:port` of the Electrum server (TCP). */
  electrumAddress: string;
  close(): Promise<void>;
}

export interface DevNodeOptions extends DevChainOptions {
  /** 0 (the default for each) picks a free port. */
  ports?: { rpc?: number; esplora?: number; electrum?: number };
  host?: string;
}

export async function startDevNode(opts: DevNodeOptions = {}): Promise<DevNode> {
  const host = opts.host ?? "127.0.0.1";
  const chain = createDevChain(opts);
  const rpc = await startRpcServer(chain, { port: opts.ports?.rpc ?? 0, host });
  const esplora = await startEsploraServer(chain, { port: opts.ports?.esplora ?? 0, host });
  const electrum = await startElectrumServer(chain, { port: opts.ports?.electrum ?? 0, host });
  return {
    chain,
    rpc,
    esplora,
    electrum,
    electrumAddress: `${electrum.host}:${electrum.port}`,
    async close() {
      await Promise.all([rpc.close(), esplora.close(), electrum.close()]);
      chain.close();
    },
  };
}
