// Entry for every btpay element (the `btpay-elements.js` bundle): importing it defines the tags.
// Safe to import in Node (server rendering, tests): Lit's node build and `define()` need no DOM.
export * from "./button.js";
export * from "./invoice.js";
