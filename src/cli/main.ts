#!/usr/bin/env node
import { run } from './program';

// `henctl jobs | head`: a reader that stops early closes the pipe; that is the end, not a failure
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

void run(process.argv).then((code) => {
  // open sockets or timers must not keep a finished command alive; flush stdout first
  process.stdout.write('', () => process.exit(code));
});
