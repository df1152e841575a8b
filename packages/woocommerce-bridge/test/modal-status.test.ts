import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MODAL_STATUS, modalStatus } from "../src/checkout/modal-status.js";

interface Vector {
  description: string;
  btpay: string;
  posted: string;
}
const vectors = JSON.parse(readFileSync(new URL("./fixtures/modal-status.json", import.meta.url), "utf8")) as {
  valid: Vector[];
  unknown: Vector[];
};

describe("modal checkout status (btpay -> what the frame posts)", () => {
  for (const v of [...vectors.valid, ...vectors.unknown]) {
    it(v.description, () => expect(modalStatus(v.btpay)).toBe(v.posted));
  }

  it("the vectors cover every entry of the table", () => {
    expect(vectors.valid.map((v) => v.btpay).sort()).toEqual(Object.keys(MODAL_STATUS).sort());
  });
});
