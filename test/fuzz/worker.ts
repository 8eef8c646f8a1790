// Child process of runner.ts: interprets one case (FORMAT.md) per stdin line and answers one
// line each, so that a crash of the library (a signal) ends only this process, not the fuzzer.
import { createInterface } from 'node:readline';
import { interpret } from '../oracle/interpret.ts';
import type { Result } from '../oracle/cpython.ts';

for await (const line of createInterface({ input: process.stdin })) {
  if (line === '') continue;
  let result: Result;
  try {
    result = interpret(JSON.parse(line));
  } catch (e) {
    result = { results: [], file: null, error: `the interpreter threw ${(e as Error)?.stack ?? String(e)}` };
  }
  // With the pipe's backpressure (a synchronous write of a large answer may meet EAGAIN).
  await new Promise((done) => process.stdout.write(`${JSON.stringify(result)}\n`, done));
}
