// Truncation storms (test/storm.ts): another process truncates and regrows the file in a loop
// while a native map of it is read and written, on the main thread and in a worker. Every touch
// of a truncated page is EFAULT, the map never shows a zero page where the file has data again,
// and no write that returned is missing from the file. Runs only where the suite runs with
// WASM_MMAP_BACKING=native; `node --import tsx test/storm.ts --seconds 60` runs a longer one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { storm } from './storm.ts';

const test = suite('truncation storm');
const enabled = process.env.WASM_MMAP_BACKING === 'native';

for (const where of ['main', 'worker'] as const) {
  test(`${where === 'main' ? 'on the main thread' : 'in a worker'}: every touch of a truncated page is EFAULT, no stale or lost byte`, async () => {
    if (!enabled) return;
    // A map of this thread's own, so that the main thread has watched its memory first.
    const mine = new MMap(-1, 4096);
    const result = await storm(4, where);
    mine.close();
    console.log(`      ${JSON.stringify(result)}`);
    assert.ok(result.cycles > 100, 'the storm ran');
    assert.ok(result.reads > 0 && result.writes > 0, 'the map was read and written');
    assert.ok(result.efaults > 0, 'some touches met a truncated page');
    assert.equal([result.stale, result.lost], [0, 0], 'during the storm, with the file whole: stale and lost bytes');
    assert.equal([result.staleAfter, result.lostAfter], [0, 0], 'after the storm: stale and lost bytes over the whole map');
  });
}

test.run();
