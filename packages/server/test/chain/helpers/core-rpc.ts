/**
 * Drives a chain the way a person would drive `bitcoind -regtest`: through Bitcoin Core's JSON-RPC
 * only. The contract suite uses nothing else, so it runs unchanged against devchain and against a
 * real bitcoind (BTPAY_TEST_BITCOIND_URL). Amounts go out as decimal strings (Core accepts them).
 */
export interface CoreRpc {
  call<T>(method: string, params?: unknown[]): Promise<T>;
  /** Pays `sats` to `address` from the node's wallet; returns the txid. */
  pay(address: string, sats: bigint): Promise<string>;
  /** Mines `n` blocks to the node's own wallet; returns their hashes. */
  mine(n: number): Promise<string[]>;
  bestBlockHash(): Promise<string>;
}

export function coreRpc(url: string): CoreRpc {
  const u = new URL(url);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
  u.username = "";
  u.password = "";
  let id = 0;
  let miner: string | undefined;
  async function call<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(u, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "1.0", id: ++id, method, params }),
    });
    const body = (await res.json()) as { result: T; error: { code: number; message: string } | null };
    if (body.error) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
    return body.result;
  }
  const btc = (sats: bigint) => `${sats / 100_000_000n}.${(sats % 100_000_000n).toString().padStart(8, "0")}`;
  return {
    call,
    pay: (address, sats) => call<string>("sendtoaddress", [address, btc(sats)]),
    async mine(n) {
      miner ??= await call<string>("getnewaddress");
      return call<string[]>("generatetoaddress", [n, miner]);
    },
    bestBlockHash: () => call<string>("getbestblockhash"),
  };
}
