// Pins the behaviour of the validators generated from openapi.yaml (scripts/gen.mjs): strict JSON
// bodies, coerced and defaulted query/path parameters, unknown query parameters refused.
import { describe, expect, it } from "vitest";
import {
  type OperationId,
  type OperationValidators,
  operations,
  validators,
} from "../../src/http/generated/validators.js";

type Part = keyof OperationValidators;

interface Vector {
  description: string;
  operation: OperationId;
  part: Part;
  input: unknown;
  /** For valid vectors whose input is coerced or defaulted: the input after validation. */
  after?: unknown;
  /** For invalid vectors: the first error's instancePath and keyword. */
  error?: { instancePath: string; keyword: string };
}

/** The reference's create-invoice example, verbatim. */
const referenceInvoice = {
  customer_email: "alice@example.com",
  customer_name: "Alice",
  customer_company: "Acme Inc",
  currency: "USD",
  tax_rate: 10,
  lines: [
    { description: "Consulting (1 hour)", quantity: 1, unit_price: "150.00" },
    { description: "Hardware wallet setup", quantity: 2, unit_price: "25.00" },
  ],
  notes: "Payment due within 30 days",
};
const line = { description: "Widget", quantity: "2", unit_price: "49.99" };

const valid: Vector[] = [
  {
    description: "reference create-invoice example",
    operation: "createInvoice",
    part: "body",
    input: referenceInvoice,
  },
  {
    description: "decimal strings, negative discount sign left to the domain",
    operation: "createInvoice",
    part: "body",
    input: { lines: [line], discount_amount: "-1.50", payment_methods: ["onchain_btc", "wire"], metadata: { a: 1 } },
  },
  {
    description: "query limit '20' coerces to 20, offset defaults to 0",
    operation: "listInvoices",
    part: "query",
    input: { limit: "20" },
    after: { limit: 20, offset: 0 },
  },
  {
    description: "empty query gets defaults limit 50 and offset 0",
    operation: "listInvoices",
    part: "query",
    input: {},
    after: { limit: 50, offset: 0 },
  },
  {
    description: "query status filter and explicit paging",
    operation: "listInvoices",
    part: "query",
    input: { status: "paid", limit: "100", offset: "40" },
    after: { status: "paid", limit: 100, offset: 40 },
  },
  {
    description: "include_payments 'true' coerces to true",
    operation: "getInvoice",
    part: "query",
    input: { include_payments: "true" },
    after: { include_payments: true },
  },
  {
    description: "webhook id path parameter '7' coerces to 7",
    operation: "deleteWebhook",
    part: "params",
    input: { id: "7" },
    after: { id: 7 },
  },
  {
    description: "webhook events default to ['*']",
    operation: "createWebhook",
    part: "body",
    input: { url: "https://yoursite.com/webhook" },
    after: { url: "https://yoursite.com/webhook", events: ["*"] },
  },
  {
    description: "open-amount payment link (amount null)",
    operation: "createPaymentLink",
    part: "body",
    input: { title: "Donate", slug: "donate", amount: null, currency: "usd" },
  },
  {
    description: "idempotency key header, other headers allowed",
    operation: "createInvoice",
    part: "headers",
    input: { "idempotency-key": "8e03978e-40d5-43e8-bc93-6894a57f9324", "content-type": "application/json" },
  },
];

const invalid: Vector[] = [
  {
    description: "missing lines",
    operation: "createInvoice",
    part: "body",
    input: { currency: "USD" },
    error: { instancePath: "", keyword: "required" },
  },
  {
    description: "empty lines",
    operation: "createInvoice",
    part: "body",
    input: { lines: [] },
    error: { instancePath: "/lines", keyword: "minItems" },
  },
  {
    description: "quantity 'abc'",
    operation: "createInvoice",
    part: "body",
    input: { lines: [{ ...line, quantity: "abc" }] },
    error: { instancePath: "/lines/0/quantity", keyword: "pattern" },
  },
  {
    description: "unit_price true",
    operation: "createInvoice",
    part: "body",
    input: { lines: [{ ...line, unit_price: true }] },
    error: { instancePath: "/lines/0/unit_price", keyword: "type" },
  },
  {
    description: "unknown top-level field",
    operation: "createInvoice",
    part: "body",
    input: { lines: [line], customer: "Alice" },
    error: { instancePath: "", keyword: "additionalProperties" },
  },
  {
    description: "currency 'US'",
    operation: "createInvoice",
    part: "body",
    input: { lines: [line], currency: "US" },
    error: { instancePath: "/currency", keyword: "pattern" },
  },
  {
    description: "body types are not coerced (tax_rate true)",
    operation: "createInvoice",
    part: "body",
    input: { lines: [line], tax_rate: true },
    error: { instancePath: "/tax_rate", keyword: "type" },
  },
  {
    description: "customer_email not an email",
    operation: "createInvoice",
    part: "body",
    input: { lines: [line], customer_email: "alice" },
    error: { instancePath: "/customer_email", keyword: "format" },
  },
  {
    description: "query status=unknown",
    operation: "listInvoices",
    part: "query",
    input: { status: "unknown" },
    error: { instancePath: "/status", keyword: "enum" },
  },
  {
    description: "query limit '0'",
    operation: "listInvoices",
    part: "query",
    input: { limit: "0" },
    error: { instancePath: "/limit", keyword: "minimum" },
  },
  {
    description: "query limit '101'",
    operation: "listInvoices",
    part: "query",
    input: { limit: "101" },
    error: { instancePath: "/limit", keyword: "maximum" },
  },
  {
    description: "query limit 'abc'",
    operation: "listInvoices",
    part: "query",
    input: { limit: "abc" },
    error: { instancePath: "/limit", keyword: "type" },
  },
  {
    description: "query limit '-1'",
    operation: "listInvoices",
    part: "query",
    input: { limit: "-1" },
    error: { instancePath: "/limit", keyword: "minimum" },
  },
  {
    description: "query typo 'limt' is refused",
    operation: "listInvoices",
    part: "query",
    input: { limt: "20" },
    error: { instancePath: "", keyword: "additionalProperties" },
  },
  {
    description: "query parameters on an operation without any",
    operation: "getRates",
    part: "query",
    input: { currency: "USD" },
    error: { instancePath: "", keyword: "additionalProperties" },
  },
  {
    description: "webhook event 'invoice.bogus'",
    operation: "createWebhook",
    part: "body",
    input: { url: "https://yoursite.com/webhook", events: ["invoice.bogus"] },
    error: { instancePath: "/events/0", keyword: "enum" },
  },
  {
    description: "webhook url with a javascript: scheme",
    operation: "createWebhook",
    part: "body",
    input: { url: "javascript:alert(1)" },
    error: { instancePath: "/url", keyword: "pattern" },
  },
  {
    description: "payment link slug with upper case",
    operation: "createPaymentLink",
    part: "body",
    input: { title: "Donate", slug: "Donate" },
    error: { instancePath: "/slug", keyword: "pattern" },
  },
  {
    description: "webhook id '0'",
    operation: "deleteWebhook",
    part: "params",
    input: { id: "0" },
    error: { instancePath: "/id", keyword: "minimum" },
  },
  {
    description: "idempotency key longer than 255 characters",
    operation: "createInvoice",
    part: "headers",
    input: { "idempotency-key": "k".repeat(256) },
    error: { instancePath: "/idempotency-key", keyword: "maxLength" },
  },
];

// The precise per-operation type is still usable through the generic shape (compile-time check).
const byOperation: Readonly<Record<OperationId, OperationValidators>> = validators;

function validatorFor(v: Vector) {
  const fn = byOperation[v.operation][v.part];
  if (!fn) throw new Error(`${v.operation} has no ${v.part} validator`);
  return fn;
}

describe("generated validators: valid", () => {
  for (const v of valid) {
    it(v.description, () => {
      const fn = validatorFor(v);
      const data = structuredClone(v.input);
      expect(fn(data), JSON.stringify(fn.errors)).toBe(true);
      expect(data).toEqual(v.after ?? v.input);
    });
  }
});

describe("generated validators: invalid", () => {
  for (const v of invalid) {
    it(v.description, () => {
      const fn = validatorFor(v);
      expect(fn(structuredClone(v.input))).toBe(false);
      expect(fn.errors?.[0]).toMatchObject(v.error ?? {});
    });
  }
});

describe("generated route table", () => {
  it("maps operationIds to Express paths", () => {
    expect(operations.getInvoice).toMatchObject({ method: "get", path: "/invoices/:ref", successStatus: 200 });
    expect(operations.createInvoice).toMatchObject({ method: "post", path: "/invoices", successStatus: 201 });
    expect(operations.deleteWebhook).toMatchObject({ method: "delete", path: "/webhooks/:id", tag: "webhooks" });
  });

  it("has validators for every operation", () => {
    expect(Object.keys(validators).sort()).toEqual(Object.keys(operations).sort());
  });
});
