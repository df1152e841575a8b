// Stands in for qrcode/lib/core/regex.js in the browser bundles (see ../bundle.mjs). Its only readers
// are the original segments.js and mode.getBestModeForData, which only that segments.js calls.
export {};
