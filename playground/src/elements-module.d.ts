// The elements are loaded for their side effect (they register their tags); the playground uses
// them through the DOM only, so it needs no types from them and type-checks before they are built.
declare module "@btpay/elements";
