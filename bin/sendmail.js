#!/usr/bin/env node
// Thin launcher: the command is compiled to dist/ by `npm run build` (or `npm start` / `npm test`).
import { main } from '../dist/src/cli/main.js';
main('sendmail', process.argv.slice(2)).then((code) => { process.exitCode = code; });
