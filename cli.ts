#!/usr/bin/env node
// simk's executable entry point; the commands live in sim/cli/main.ts.
import { main } from "./sim/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
