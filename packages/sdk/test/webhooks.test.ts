import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { signWebhookTestHeaders, verifyWebhook, WebhookVerificationError } from "../src/index.js";

interface ValidVector {
  description: string;
  secret: string;
  timestamp: number;
  now: number;
  toleranceSeconds?: number;
  body: string;
  signature: string;
  signatureTimestamped: string;
}

interface InvalidVector {
  description: string;
  secret: string;
  now: number;
  toleranceSeconds?: number;
  body: string;
  headers: Record<string, string>;
  code: string;
  /** A fragment the error message must contain. */
  message?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("./fixtures/webhook-signature-vectors.json", import.meta.url), "utf8"),
) as { valid: ValidVector[]; invalid: InvalidVector[] };

const headersOf = (v: ValidVector) => ({
  "X-BTPay-Signature": v.signature,
  "X-BTPay-Timestamp": String(v.timestamp),
  "X-BTPay-Signature-Timestamped": v.signatureTimestamped,
});

const optsOf = (v: { now: number; toleranceSeconds?: number }) => ({
  now: () => v.now,
  ...(v.toleranceSeconds === undefined ? {} : { toleranceSeconds: v.toleranceSeconds }),
});

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => expect.unreachable("expected verification to fail"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

const first = vectors.valid[0]!;
const utf8Vector = vectors.valid.find((v) => v.body.includes("🙂"))!;

describe("verifyWebhook: valid vectors", () => {
  for (const v of vectors.valid) {
    it(v.description, async () => {
      const event = await verifyWebhook(v.body, headersOf(v), v.secret, optsOf(v));
      expect(event).toEqual(JSON.parse(v.body));
    });
  }
});

describe("signWebhookTestHeaders: valid vectors", () => {
  for (const v of vectors.valid) {
    it(v.description, async () => {
      const headers = await signWebhookTestHeaders(v.body, v.secret, { timestamp: v.timestamp });
      expect(headers).toMatchObject(headersOf(v));
    });
  }
});

describe("verifyWebhook: invalid vectors", () => {
  for (const v of vectors.invalid) {
    it(v.description, async () => {
      const error = await rejection(verifyWebhook(v.body, v.headers, v.secret, optsOf(v)));
      expect(error.code).toBe(v.code);
      if (v.message) expect(error.message).toContain(v.message);
    });
  }
});

describe("verifyWebhook: raw body", () => {
  it("explains express.raw when given a parsed object", async () => {
    const error = await rejection(verifyWebhook(JSON.parse(first.body), headersOf(first), first.secret));
    expect(error.code).toBe("parsed_body");
    expect(error.message).toBe(
      'verifyWebhook needs the raw request body (string or bytes) exactly as received; it got a parsed object. With Express use express.raw({ type: "application/json" }) on the webhook route.',
    );
  });

  it("says what it got when the body is undefined (no body parser on the route)", async () => {
    const error = await rejection(verifyWebhook(undefined as unknown as string, headersOf(first), first.secret));
    expect(error.code).toBe("parsed_body");
    expect(error.message).toContain("it got undefined");
  });

  it("accepts a Uint8Array", async () => {
    const body = new TextEncoder().encode(first.body);
    await expect(verifyWebhook(body, headersOf(first), first.secret, optsOf(first))).resolves.toMatchObject({
      id: "evt_123",
    });
  });

  it("accepts a Node Buffer that is a view at an offset into a larger buffer", async () => {
    const padded = Buffer.from(`xxxxxxx${first.body}yyy`, "utf8");
    const body = padded.subarray(7, padded.length - 3);
    expect(body.byteOffset).toBeGreaterThan(0);
    await expect(verifyWebhook(body, headersOf(first), first.secret, optsOf(first))).resolves.toMatchObject({
      id: "evt_123",
    });
  });

  it("accepts an ArrayBuffer", async () => {
    const bytes = new TextEncoder().encode(first.body);
    const body = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    await expect(verifyWebhook(body, headersOf(first), first.secret, optsOf(first))).resolves.toMatchObject({
      event: "invoice.paid",
    });
  });

  it("verifies multi-byte UTF-8 on exact bytes, as bytes or as the string they decode to", async () => {
    const bytes = Buffer.from(utf8Vector.body, "utf8");
    expect(bytes.length).toBeGreaterThan(utf8Vector.body.length);
    const fromBytes = await verifyWebhook(bytes, headersOf(utf8Vector), utf8Vector.secret, optsOf(utf8Vector));
    expect(fromBytes.data).toMatchObject({ customer_name: "Zoë Café", memo: "thanks 🙂" });
    const fromString = await verifyWebhook(bytes.toString("utf8"), headersOf(utf8Vector), utf8Vector.secret, {
      now: () => utf8Vector.now,
    });
    expect(fromString).toEqual(fromBytes);
  });

  it("rejects multi-byte UTF-8 decoded with the wrong charset", async () => {
    const mojibake = Buffer.from(utf8Vector.body, "utf8").toString("latin1");
    const error = await rejection(
      verifyWebhook(mojibake, headersOf(utf8Vector), utf8Vector.secret, optsOf(utf8Vector)),
    );
    expect(error.code).toBe("bad_signature");
  });
});

describe("verifyWebhook: headers", () => {
  it("reads Fetch Headers", async () => {
    const headers = new Headers(headersOf(first));
    await expect(verifyWebhook(first.body, headers, first.secret, optsOf(first))).resolves.toMatchObject({
      id: "evt_123",
    });
  });

  it("reads Node-style headers: lowercase keys, mixed case, arrays (first value wins)", async () => {
    const headers: IncomingHttpHeaders = {
      "x-btpay-signature": [first.signature, "0".repeat(64)],
      "X-Btpay-Timestamp": String(first.timestamp),
      "X-BTPAY-SIGNATURE-TIMESTAMPED": first.signatureTimestamped,
      "content-type": "application/json",
    };
    await expect(verifyWebhook(first.body, headers, first.secret, optsOf(first))).resolves.toMatchObject({
      id: "evt_123",
    });
  });

  it("names the missing header", async () => {
    const { "X-BTPay-Timestamp": _, ...rest } = headersOf(first);
    const error = await rejection(verifyWebhook(first.body, new Headers(rest), first.secret, optsOf(first)));
    expect(error.code).toBe("missing_header");
    expect(error.message).toContain("The X-BTPay-Timestamp header is missing");
  });

  it("verifies a delivery received by a real HTTP server (raw bytes and req.headers)", async () => {
    const secret = first.secret;
    const headers = await signWebhookTestHeaders(utf8Vector.body, secret);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        verifyWebhook(Buffer.concat(chunks), req.headers, secret).then(
          (event) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(event)),
          (e: WebhookVerificationError) => res.writeHead(400).end(e.code),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
      const ok = await fetch(url, { method: "POST", headers, body: utf8Vector.body });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual(JSON.parse(utf8Vector.body));
      const tampered = await fetch(url, { method: "POST", headers, body: utf8Vector.body.replace("12.50", "1.25") });
      expect(await tampered.text()).toBe("bad_signature");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("verifies a Fetch Request (edge runtimes): Headers and arrayBuffer()", async () => {
    const headers = await signWebhookTestHeaders(first.body, first.secret);
    const request = new Request("http://merchant.test/webhook", { method: "POST", headers, body: first.body });
    const event = await verifyWebhook(await request.arrayBuffer(), request.headers, first.secret);
    expect(event.id).toBe("evt_123");
  });
});

describe("verifyWebhook: secret and errors", () => {
  it("explains a secret that is not a whsec_ string without echoing it", async () => {
    const error = await rejection(verifyWebhook(first.body, headersOf(first), "sk_live_123"));
    expect(error.code).toBe("bad_secret");
    expect(error.message).toContain('"whsec_..."');
    expect(error.message).not.toContain("sk_live_123");
  });

  it("points at the argument order when the secret is not a string", async () => {
    const error = await rejection(verifyWebhook(first.body, first.secret as never, headersOf(first) as never));
    expect(error.code).toBe("bad_secret");
    expect(error.message).toContain("verifyWebhook(rawBody, headers, secret)");
  });

  it("is an Error with a name and a code", async () => {
    const error = await rejection(verifyWebhook(first.body, headersOf(first), vectors.invalid[1]!.secret));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("WebhookVerificationError");
    expect(error.code).toBe("bad_signature");
  });

  it("checks the signature before the timestamp, so an old forged delivery reports bad_signature", async () => {
    const tampered = first.body.replace("220.00", "1.00");
    const error = await rejection(
      verifyWebhook(tampered, headersOf(first), first.secret, { now: () => first.timestamp + 10_000 }),
    );
    expect(error.code).toBe("bad_signature");
  });
});

describe("signWebhookTestHeaders", () => {
  it("round-trips through verifyWebhook with the system clock", async () => {
    const headers = await signWebhookTestHeaders(first.body, first.secret);
    expect(Math.abs(Number(headers["X-BTPay-Timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
    await expect(verifyWebhook(first.body, headers, first.secret)).resolves.toEqual(JSON.parse(first.body));
  });

  it("sends the same header names btpay sends, event and delivery id taken from the body", async () => {
    const headers = await signWebhookTestHeaders(first.body, first.secret, { timestamp: first.timestamp });
    expect(Object.keys(headers).sort()).toEqual(
      [
        "Content-Type",
        "X-BTPay-Delivery",
        "X-BTPay-Event",
        "X-BTPay-Signature",
        "X-BTPay-Signature-Timestamped",
        "X-BTPay-Timestamp",
      ].sort(),
    );
    expect(headers).toMatchObject({
      "Content-Type": "application/json",
      "X-BTPay-Event": "invoice.paid",
      "X-BTPay-Delivery": "evt_123",
    });
  });

  it("lets tests override the event name and delivery id", async () => {
    const headers = await signWebhookTestHeaders(first.body, first.secret, { event: "invoice.expired", id: "evt_x" });
    expect(headers).toMatchObject({ "X-BTPay-Event": "invoice.expired", "X-BTPay-Delivery": "evt_x" });
  });

  it("a signed old timestamp is rejected by the default tolerance", async () => {
    const headers = await signWebhookTestHeaders(first.body, first.secret, {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    const error = await rejection(verifyWebhook(first.body, headers, first.secret));
    expect(error.code).toBe("timestamp_out_of_tolerance");
    expect(error.message).toMatch(/30[12] seconds in the past, beyond the 300-second tolerance/);
  });

  it("rejects a secret that is not whsec_", async () => {
    const error = await rejection(signWebhookTestHeaders(first.body, "secret"));
    expect(error.code).toBe("bad_secret");
  });
});
