#!/usr/bin/env node
/** The `koban` command: thin wrappers that parse flags, call a context and print (program.ts). */
import { main } from './program.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
