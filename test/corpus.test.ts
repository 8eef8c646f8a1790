// Replays every shrunk case of test/corpus/ (left by `npm run fuzz`, one JSON file each) on
// CPython and on wasm-mmap: they must agree, under the fuzzer's normalisation table
// (test/fuzz/runner.ts). Cases of bugs not yet fixed wait in test/corpus/pending/, not replayed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { check, type Verdict } from './fuzz/runner.ts';
import type { CorpusEntry } from './fuzz/shrink.ts';

const DIR = fileURLToPath(new URL('./corpus/', import.meta.url));
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const entries = files.map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as CorpusEntry);
const runnable = (e: CorpusEntry) => e.backing !== 'native' || MMap.nativeAvailable;
let verdicts: Verdict[] = [];

test.before(async () => {
  verdicts = await check(entries.filter(runnable).map((e) => e.case));
});

test('every corpus file is a case with its backing and signature', () => {
  for (const [i, e] of entries.entries()) {
    assert.ok(Array.isArray(e.case?.ops), `${files[i]}: no ops`);
    assert.ok(['native', 'copy', 'anonymous'].includes(e.backing), `${files[i]}: backing ${e.backing}`);
    assert.type(e.signature, 'string', files[i]);
  }
});

let next = 0;
for (const [i, e] of entries.entries()) {
  if (!runnable(e)) continue;
  const at = next++;
  test(`${files[i]} (${e.backing}, was ${e.signature}): CPython and wasm-mmap agree`, () => {
    const d = verdicts[at].divergence;
    assert.is(d, null, `${files[i]} diverges: ${JSON.stringify(d)}`);
  });
}

test.run();
