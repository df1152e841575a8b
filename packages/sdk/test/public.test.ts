import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";
import { createBtpayClient, unwrap } from "../src/index.js";
import { createPublicClient } from "../src/public.js";

// The browser entry (`@btpay/sdk/public`, what the elements use) against a real btpay server.
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

let t: TestServer;
let merchant: ReturnType<typeof createBtpayClient>;

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATES_FIXED: "USD:100000" } });
  const { key } = await t.newStoreWithKey("full", "Public SDK store");
  merchant = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
  unwrap(await merchant.PUT("/wallet", { body: { xpub: ZPUB } }));
});
afterAll(async () => t?.close());

describe("createPublicClient", () => {
  it("polls an invoice with its ETag: 200 with the typed body, then a bodiless 304", async () => {
    const draft = unwrap(
      await merchant.POST("/invoices", { body: { lines: [{ description: "Mug", quantity: 1, unit_price: "12" }] } }),
    );
    const invoice = unwrap(await merchant.POST("/invoices/{ref}/finalize", { params: { path: { ref: draft.ref } } }));
    const pub = createPublicClient({ baseUrl: t.baseUrl });
    const first = await pub.getCheckoutInvoice(invoice.ref);
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({
      ref: invoice.ref,
      store_name: "Public SDK store",
      btc_due: "0.00012000",
      payment_address: invoice.payment_address,
    });
    const etag = first.response.headers.get("etag");
    const again = await pub.getCheckoutInvoice(invoice.ref, { etag });
    expect(again.status).toBe(304);
    expect(again.data).toBeUndefined();
    expect(again.error).toBeUndefined();
  });

  it("an unknown ref is a 404 value with the server's message, not a throw", async () => {
    const pub = createPublicClient({ baseUrl: `${t.baseUrl}/api/v1` });
    const answer = await pub.getCheckoutInvoice("00000000-00000000");
    expect(answer.status).toBe(404);
    expect(answer.error).toMatch(/not found/);
  });

  it("reads a payment link and pays it, fixed and open amounts", async () => {
    unwrap(await merchant.POST("/payment-links", { body: { title: "Sticker", amount: "3.00", currency: "USD" } }));
    unwrap(await merchant.POST("/payment-links", { body: { title: "Tip", amount: null, currency: "USD" } }));
    const pub = createPublicClient({ baseUrl: t.baseUrl });
    expect((await pub.getPaymentLink("sticker")).data).toMatchObject({ title: "Sticker", amount: "3.00" });
    const fixed = await pub.createPaymentLinkInvoice("sticker");
    expect(fixed.status).toBe(201);
    expect(fixed.data?.total).toBe("3.00");
    const open = await pub.createPaymentLinkInvoice("tip", { amount: "7.50" });
    expect(open.status).toBe(201);
    expect(open.data?.checkout_url).toBe(`${t.baseUrl}/i/${open.data?.ref}`);
    const refused = await pub.createPaymentLinkInvoice("tip");
    expect(refused.status).toBe(400);
    expect(refused.error).toMatch(/amount/);
  });
});
