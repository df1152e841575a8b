import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BitcoindSource } from "../../src/chain/bitcoind-source.js";
import { type DevNode, startDevNode } from "../../src/chain/devchain/dev-node.js";
import { type CoreRpc, coreRpc } from "./helpers/core-rpc.js";
import { startWatchHarness, type WatchHarness } from "./helpers/watch-harness.js";

// A payer's whole trip through a payment link on devchain, over the hosted pages only:
// link page -> form post -> checkout page -> pay with Core's sendtoaddress -> paid -> redirect.
// The harness prices 1 BTC at 100,000 USD, so $12.50 is 0.000125 BTC.
describe("payment link flow on devchain", () => {
  let node: DevNode;
  let rpc: CoreRpc;
  let h: WatchHarness;

  beforeAll(async () => {
    node = await startDevNode();
    rpc = coreRpc(node.rpc.url);
    h = await startWatchHarness(() => new BitcoindSource({ url: node.rpc.url }));
  });
  afterAll(async () => {
    await h?.close();
    await node?.close();
  });

  const page = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.t.baseUrl}${path}`, { redirect: "manual", ...init });
    return { status: res.status, html: await res.text(), location: res.headers.get("location") };
  };

  it("link page -> invoice -> payment -> paid, with the redirect", async () => {
    const created = await h.api.POST("/payment-links", {
      body: {
        title: "Conference ticket",
        description: "One seat, day pass",
        amount: "12.50",
        currency: "USD",
        redirect_url: "https://shop.example/thanks?ticket=1",
      },
    });
    expect(created.response.status).toBe(201);
    const slug = created.data?.slug as string;
    expect(slug).toBe("conference-ticket");

    const linkPage = await page(`/pay/${slug}`);
    expect(linkPage.status).toBe(200);
    expect(linkPage.html).toContain("Conference ticket");
    expect(linkPage.html).toContain("One seat, day pass");
    expect(linkPage.html).toContain("12.50 USD");
    expect(linkPage.html).toContain(`action="/pay/${slug}"`);

    const posted = await page(`/pay/${slug}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(posted.status).toBe(303);
    const checkoutPath = posted.location as string;
    const ref = checkoutPath.split("/").pop() as string;
    expect(checkoutPath).toBe(`/i/${ref}`);

    const pending = await page(checkoutPath);
    expect(pending.status).toBe(200);
    const address = /<code class="address">(bcrt1[a-z0-9]+)<\/code>/.exec(pending.html)?.[1];
    expect(address).toBeDefined();
    expect(pending.html).toContain("0.00012500 BTC");
    expect(pending.html).toContain("12.50 USD");
    expect(pending.html).toContain(`href="bitcoin:${address}?amount=0.000125`);
    expect(pending.html).toContain("Waiting for your payment");
    expect(pending.html).not.toContain("shop.example");

    await rpc.call<string>("sendtoaddress", [address, "0.000125"]);
    await h.tick();

    const paid = await page(checkoutPath);
    expect(paid.status).toBe(200);
    expect(paid.html).toContain("Paid — thank you");
    expect(paid.html).toContain('http-equiv="refresh" content="3; url=https://shop.example/thanks?ticket=1"');
    expect(paid.html).toContain('href="https://shop.example/thanks?ticket=1"');

    const polled = await fetch(`${h.t.apiUrl}/public/invoices/${ref}`);
    expect(await polled.json()).toMatchObject({
      ref,
      status: "paid",
      amount_due: "0.00",
      btc_paid: "0.00012500",
      btc_due: "0.00000000",
      confirmations: 0,
      required_confirmations: 1,
      payments: [{ amount_sats: "12500", status: "mempool", confirmations: 0, late: false }],
      payment_address: address,
      redirect_url: "https://shop.example/thanks?ticket=1",
      checkout_url: `${h.t.baseUrl}${checkoutPath}`,
    });
    // The merchant's view agrees, with the payment and the link in the metadata.
    const inv = await h.get(ref);
    expect(inv.status).toBe("paid");
    expect(inv.payments).toHaveLength(1);
    expect((await h.events(ref)).map((e) => e.type)).toEqual(["invoice.created", "payment.received", "invoice.paid"]);

    // A block confirms it; the checkout keeps thanking the payer.
    await rpc.mine(1);
    await h.tick();
    expect((await h.get(ref)).status).toBe("confirmed");
    expect((await page(checkoutPath)).html).toContain("Paid — thank you");
    const confirmed = await (await fetch(`${h.t.apiUrl}/public/invoices/${ref}`)).json();
    expect(confirmed).toMatchObject({ status: "confirmed", confirmations: 1, payments: [{ confirmations: 1 }] });
  });
});
