import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDevChain } from "../../../src/chain/devchain/chain.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "devchain-"));
  dirs.push(dir);
  return join(dir, "nested", "devchain.json");
}

describe("devchain persistence", () => {
  it("reloads blocks, invalidated blocks, mempool and wallet from the data file", () => {
    const file = dataFile();
    const first = createDevChain({ dataFile: file });
    const to = first.getNewAddress();
    const confirmedTxid = first.sendToAddress(to, 100_000n);
    const [stale] = first.generateToAddress(1, to);
    first.invalidateBlock(stale!); // the payment goes back to the mempool
    first.generateToAddress(2, to); // ...and into a block of the new branch
    const pending = first.sendToAddress(to, 200_000n);
    const usedAddresses = new Set([to, first.getNewAddress()]);
    first.close();
    expect(readdirSync(join(file, ".."))).toEqual(["devchain.json"]); // no tmp file left behind

    const second = createDevChain({ dataFile: file });
    expect(second.tip()).toMatchObject({ hash: first.tip().hash, height: 103 });
    expect(second.blockByHash(stale!)).toBeDefined();
    expect(second.isInBestChain(stale!)).toBe(false);
    expect(second.isInvalid(stale!)).toBe(true);
    expect(second.getTx(confirmedTxid)!.block!.height).toBe(first.getTx(confirmedTxid)!.block!.height);
    expect(second.mempoolTxids()).toEqual([pending]);
    expect(second.mempoolEntry(pending)).toEqual(first.mempoolEntry(pending));
    expect(second.walletBalance()).toBe(first.walletBalance());
    expect(usedAddresses.has(second.getNewAddress())).toBe(false);
    // Mining goes on from the saved tip; the invalidated block is not reconnected.
    second.generateToAddress(1, to);
    expect(second.tip().height).toBe(104);
    expect(second.isInBestChain(stale!)).toBe(false);
    second.close();
  });

  it("writes changes to the file after a short debounce", async () => {
    const file = dataFile();
    const chain = createDevChain({ dataFile: file, premine: 5 });
    expect(existsSync(file)).toBe(true);
    chain.generateToAddress(1, chain.getNewAddress());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const saved = JSON.parse(readFileSync(file, "utf8")) as { tip: string; blocks: string[] };
    expect(saved.tip).toBe(chain.tip().hash);
    expect(saved.blocks).toHaveLength(6);
    chain.close();
  });
});
