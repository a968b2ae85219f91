#!/usr/bin/env node
// The `lanes` binary: everything happens in program.ts; only the exit code is set here.
import { main } from "./program.js";

process.exitCode = await main(process.argv);
