import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Tests spawn real processes (the CLI, servers, the embedded database child) from the compiled
 * output, so make sure it is current. `tsc -b` is incremental: a no-op when nothing changed.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../../../../", import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-b"], { cwd: root, stdio: "inherit" });
}
