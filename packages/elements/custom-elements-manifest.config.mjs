// Configuration of `cem analyze` (npm run manifest): custom-elements.json is generated from the
// JSDoc of src/, so editors and docs see the same attributes, events, parts and properties as the code.
const isPrivate = (name) => name.startsWith("_") || name.startsWith("#");

export default {
  globs: ["src/**/*.ts"],
  exclude: ["src/**/*.d.ts"],
  outdir: ".",
  litelement: true,
  plugins: [
    {
      // Lit's internal reactive state (`_copied: { state: true }`) and #private members are not API.
      name: "btpay-hide-private",
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            declaration.members = declaration.members?.filter((member) => !isPrivate(member.name));
            declaration.attributes = declaration.attributes?.filter((attribute) => !isPrivate(attribute.name));
          }
        }
      },
    },
  ],
};
