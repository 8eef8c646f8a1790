// The core's raw ABI under random numbers (test/fuzz/abi.ts): no call traps, no call touches
// a guard map's bytes, and bytes handed out lie in the target's region or the scratch area.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CORES, fuzzAbi } from './fuzz/abi.ts';

for (const seed of [1, 2, 3, 4]) {
  const core = CORES[seed % CORES.length];
  test(`seed ${seed}: 25,000 random calls into build/${core}, none traps or strays`, () => {
    const report = fuzzAbi(seed, 25_000, core);
    assert.equal(report.failures, []);
    assert.is(report.calls, 25_000);
  });
}

test.run();
