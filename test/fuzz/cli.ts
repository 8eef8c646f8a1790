// `npm run fuzz -- --seconds N [--seed S] [--backing native|copy] [--corpus DIR]`: runs random
// cases on CPython and wasm-mmap for N seconds, shrinks each new kind of divergence and saves
// it (by default to test/corpus/pending/, which the suite does not replay: move a case to
// test/corpus/ once the library is fixed).
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { MMap } from '../../src/index.ts';
import { caseSeed, generate, Rng, type Backing } from './generator.ts';
import { backingOf, check, stopWorker } from './runner.ts';
import { saveCase, savedSignatures, shrink } from './shrink.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    backing: { type: 'string' },
    batch: { type: 'string', default: '100' },
    corpus: { type: 'string', default: fileURLToPath(new URL('../corpus/pending', import.meta.url)) },
  },
});
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const batch = Number(values.batch);
if (values.backing !== undefined && values.backing !== 'native' && values.backing !== 'copy') {
  throw new TypeError(`--backing is native or copy, not ${values.backing}`);
}
const backings: Backing[] = values.backing ? [values.backing as Backing] : MMap.nativeAvailable ? ['native', 'copy'] : ['copy'];
const corpus = path.resolve(values.corpus!);
const corpusRoot = path.basename(corpus) === 'pending' ? path.dirname(corpus) : corpus;

console.log(`fuzz: seed ${seed}, backing ${backings.join('+')}, ${seconds} s, shrunk cases to ${corpus}`);
const seen = savedSignatures(corpusRoot);
const deadline = Date.now() + seconds * 1000;
let sequences = 0;
let operations = 0;
let diverging = 0;
const kinds = new Map<string, number>();
for (let index = 0; Date.now() < deadline; index += batch) {
  const backing = backings[(index / batch) % backings.length];
  const cases = Array.from({ length: batch }, (_, i) => ({ name: `seed ${seed} #${index + i} ${backing}`, ...generate(new Rng(caseSeed(seed, index + i)), backing) }));
  const verdicts = await check(cases);
  for (const [i, v] of verdicts.entries()) {
    sequences++;
    operations += v.ops;
    if (v.divergence === null) continue;
    diverging++;
    const key = `${backing} ${v.divergence.signature}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
    if (kinds.get(key)! > 1) continue;
    console.log(`divergence in ${cases[i].name}: ${JSON.stringify(v.divergence).slice(0, 400)}`);
    const small = await shrink(cases[i], v.divergence.signature);
    if (small.divergence === null) {
      console.log('  (it did not reproduce on its own: flaky; not saved)');
      continue;
    }
    const savedKey = `${backingOf(small.case)} ${small.divergence.signature}`;
    if (seen.has(savedKey)) {
      console.log(`  shrunk to ${small.case.ops.length} ops; its signature is already in the corpus:\n  ${JSON.stringify(small.case)}`);
      continue;
    }
    seen.add(savedKey);
    console.log(`  shrunk to ${small.case.ops.length} ops: ${saveCase(corpus, small.case, small.divergence)}`);
    console.log(`  ${JSON.stringify(small.case)}`);
  }
}
stopWorker();
console.log(`\n${sequences} sequences, ${operations} operations, ${diverging} diverging sequences, ${kinds.size} kinds`);
for (const [key, count] of kinds) console.log(`  ${count} × ${key}`);
