#!/usr/bin/env node
// The goapi command.
import { main } from './program.js'

// Run from a clone as `npx -y pnpm@12.4.2 goapi ...` (the root package.json script): pnpm starts
// scripts in the repository root, so work in the folder the command was typed in instead.
if (process.env.npm_lifecycle_event === 'goapi' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD)

process.exitCode = await main(process.argv.slice(2))
