#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dependency of this package), so a clean checkout works
// right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
