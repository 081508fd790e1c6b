#!/usr/bin/env node
import { run } from './program';

void run(process.argv).then((code) => {
  // open sockets or timers must not keep a finished command alive; flush stdout first
  process.stdout.write('', () => process.exit(code));
});
