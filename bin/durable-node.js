#!/usr/bin/env node
// The durable-node command; the implementation is compiled from ts/cli.
require("../dist/cli/main.js").main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`durable-node: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
