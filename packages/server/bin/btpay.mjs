#!/usr/bin/env node
// The `btpay` command. The TypeScript is compiled by `npm install` (prepare) / `npm run build`.
import { run } from "../dist/cli/main.js";

process.exitCode = await run(process.argv.slice(2));
