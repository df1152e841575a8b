import { createDevChain, type DevChainImpl, type DevChainOptions } from "./chain.js";
import { type ElectrumServer, startElectrumServer } from "./electrum-server.js";
import { type EsploraServer, startEsploraServer } from "./esplora-server.js";
import { type RpcServer, startRpcServer } from "./rpc-server.js";
import { startZmqPublisher, type ZmqPublisher } from "./zmq-publisher.js";

/**
 * devchain with its wire protocols on loopback (RPC, Esplora, Electrum, and Core's ZMQ notifications
 * when asked for): what dev mode and the chain tests run.
 */
export interface DevNode {
  chain: DevChainImpl;
  rpc: RpcServer;
  esplora: EsploraServer;
  electrum: ElectrumServer;
  /** `host:port` of the Electrum server (TCP). */
  electrumAddress: string;
  /** Bitcoin Core's ZMQ notifications (`hashblock`, `rawtx`), with the `zmq` option. */
  zmq?: ZmqPublisher;
  close(): Promise<void>;
}

export interface DevNodeOptions extends DevChainOptions {
  /** 0 (the default for each) picks a free port. */
  ports?: { rpc?: number; esplora?: number; electrum?: number; zmq?: number };
  host?: string;
  /** Also publish Bitcoin Core's ZMQ notifications. */
  zmq?: boolean;
}

export async function startDevNode(opts: DevNodeOptions = {}): Promise<DevNode> {
  const host = opts.host ?? "127.0.0.1";
  const chain = createDevChain(opts);
  const rpc = await startRpcServer(chain, { port: opts.ports?.rpc ?? 0, host });
  const esplora = await startEsploraServer(chain, { port: opts.ports?.esplora ?? 0, host });
  const electrum = await startElectrumServer(chain, { port: opts.ports?.electrum ?? 0, host });
  const zmq = opts.zmq ? await startZmqPublisher(chain, { port: opts.ports?.zmq ?? 0, host }) : undefined;
  return {
    chain,
    rpc,
    esplora,
    electrum,
    electrumAddress: `${electrum.host}:${electrum.port}`,
    zmq,
    async close() {
      await Promise.all([rpc.close(), esplora.close(), electrum.close(), zmq?.close()]);
      chain.close();
    },
  };
}
