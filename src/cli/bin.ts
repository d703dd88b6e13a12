#!/usr/bin/env node
/** Entry point of the `dag` executable. */
import { main } from './main.js';

const out = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

const code = await main(process.argv.slice(2), process.cwd(), out);
// Exit once stdout is flushed: a large --json report on a pipe must not be cut off, and task
// code must not keep the process alive after the run.
process.stdout.write('', () => process.exit(code));
