// A fixed, seeded fuzz budget (test/fuzz/): random sequences on this run's backing (npm test
// runs the suite once per backing) and anonymous maps, compared with CPython op by op. Any
// divergence fails: the only differences allowed are the runner's rows, which are README's
// documented ones. `npm run fuzz -- --seconds N` runs longer and shrinks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { caseSeed, generate, Rng, type Backing } from './fuzz/generator.ts';
import { check } from './fuzz/runner.ts';

const SEED = 20261128;
const SEQUENCES = 1000;
const backing: Backing = process.env.WASM_MMAP_BACKING === 'copy' || !MMap.nativeAvailable ? 'copy' : 'native';

test(`${SEQUENCES} seeded random sequences on the ${backing} backing agree with CPython`, async () => {
  const seed = SEED + (backing === 'copy' ? 1 : 0);
  const cases = Array.from({ length: SEQUENCES }, (_, i) => generate(new Rng(caseSeed(seed, i)), backing));
  const verdicts = await check(cases);
  const fresh: string[] = [];
  for (const [i, v] of verdicts.entries()) {
    if (v.divergence === null) continue;
    fresh.push(`seed ${seed} #${i}: ${JSON.stringify(v.divergence).slice(0, 300)}\n  ${JSON.stringify(cases[i])}`);
  }
  assert.equal(fresh, [], `new divergences (shrink them with npm run fuzz -- --seed ${seed}):\n${fresh.join('\n')}`);
});

test.run();
