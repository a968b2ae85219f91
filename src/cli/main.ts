#!/usr/bin/env node
// The `lanes` binary: everything happens in program.ts; only the exit code is set here.
import v8 from "node:v8";

// A young generation that keeps its first size (1 MB semi-spaces). Under lanes' steady trickle
// of short-lived objects V8 otherwise grows it to 16 MB semi-spaces, 32 MB of RSS that stays:
// with 32 agents flooding stdout, lanes' peak RSS was 117 MB with it and 98 MB without
// (bench/memory.mjs). `--max-semi-space-size` has no effect once the heap exists (measured);
// the growth factor is read at each growth, so it does. Set before anything is loaded.
v8.setFlagsFromString("--semi-space-growth-factor=1");

const { main } = await import("./program.js");
process.exitCode = await main(process.argv);
