#!/usr/bin/env node
// simk's executable entry point; the commands live in sim/cli/main.ts.
import "./sim/cli/zodConfig.js";
import { main } from "./sim/cli/main.js";

// A reader that stops early (`simk run --help | head`) closes the pipe: that ends the output, it is
// not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
