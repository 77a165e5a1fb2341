#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=50
import { runCli } from '../core/cli/main.ts';

process.exitCode = await runCli(process.argv.slice(2));
