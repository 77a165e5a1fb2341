#!/usr/bin/env node
import { runCli } from '../core/cli/main.ts';

process.exitCode = await runCli(process.argv.slice(2));
