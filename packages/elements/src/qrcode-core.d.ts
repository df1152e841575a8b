// qrcode's core module on its own (no renderers, no Node/browser entry): see src/invoice/qr.ts.
declare module "qrcode/lib/core/qrcode.js" {
  export { create } from "qrcode";
}
