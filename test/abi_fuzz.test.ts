// The core's raw ABI under random numbers (test/fuzz/abi.ts): no call traps, no call touches
// a guard map's bytes, and bytes handed out lie in the target's region or the scratch area.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzAbi } from './fuzz/abi.ts';

for (const seed of [1, 2, 3, 4]) {
  test(`seed ${seed}: 25,000 random calls into build/core.wasm, none traps or strays`, () => {
    const report = fuzzAbi(seed, 25_000);
    assert.equal(report.failures, []);
    assert.is(report.calls, 25_000);
  });
}

test.run();
