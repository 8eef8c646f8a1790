// Lifetimes: maps closed, and maps dropped and collected, give back their fd and their mapping;
// many maps at once fit (one core instance holds 65,536; more instances open as needed).
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { TempDir, bytes, text, throwsOSError } from './helpers.ts';

const test = suite('lifetimes');
const tmp = new TempDir();
test.after(() => tmp.cleanup());

const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const mapsLines = () => fs.readFileSync('/proc/self/maps', 'latin1').trim().split('\n');
const mappingCount = () => mapsLines().length;
/** Mappings of one file: the native backing's, which must all go at close. */
const mappingsOf = (path: string) => mapsLines().filter((line) => line.endsWith(fs.realpathSync(path))).length;
// The JS heap and code spaces also map and unmap as they please: the whole count may move by a
// little, while a leak of one mapping per map would add thousands.
const NOISE = 64;
const gc = (globalThis as { gc?: () => void }).gc;

async function collect(): Promise<void> {
  // Finalizers run in a later task after a collection.
  for (let i = 0; i < 5; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('10,000 open/write/close cycles leave the fd and mapping counts where they were', () => {
  const path = tmp.file('0123456789');
  // Warm up: the first map may open a core instance (a mapping of its own that stays).
  const fd = fs.openSync(path, 'r+');
  new MMap(fd, 0).close();
  const fds = fdCount();
  const maps = mappingCount();
  for (let i = 0; i < 10_000; i++) {
    const m = new MMap(fd, 0);
    m.writeByte(48 + (i % 10));
    if (i === 0 && m.backing === 'native') assert.is(mappingsOf(path), 1);
    m.close();
  }
  assert.is(fdCount(), fds);
  assert.is(mappingsOf(path), 0);
  assert.ok(mappingCount() <= maps + NOISE, `mappings grew from ${maps} to ${mappingCount()}`);
  assert.is(text(fs.readFileSync(path)), '9123456789');
  fs.closeSync(fd);
});

test('10,000 open/drop/collect cycles leave the fd and mapping counts where they were', async () => {
  assert.ok(gc, 'run node with --expose-gc (npm test does)');
  const path = tmp.file('abcdefghij');
  const fd = fs.openSync(path, 'r+');
  new MMap(fd, 0).close();
  await collect();
  const fds = fdCount();
  const maps = mappingCount();
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 1_000; i++) new MMap(fd, 0).writeByte(65);
    await collect();
  }
  await collect();
  assert.is(fdCount(), fds);
  assert.is(mappingsOf(path), 0);
  assert.ok(mappingCount() <= maps + NOISE, `mappings grew from ${maps} to ${mappingCount()}`);
  fs.closeSync(fd);
});

test('50,000 small anonymous maps open at once, each with its own bytes', () => {
  const maps: MMap[] = [];
  for (let i = 0; i < 50_000; i++) {
    const m = new MMap(-1, 16);
    m.write(bytes(String(i).padStart(16, '.')));
    maps.push(m);
  }
  for (const i of [0, 1, 4_095, 4_096, 25_000, 49_999]) assert.is(text(maps[i].getSlice()), String(i).padStart(16, '.'));
  for (const m of maps) m.close();
  assert.ok(maps.every((m) => m.closed));
});

test('70,000 maps at once need a second core instance, and work there', () => {
  const maps: MMap[] = [];
  for (let i = 0; i < 70_000; i++) maps.push(new MMap(-1, 1));
  maps[69_999].setItem(0, 7);
  assert.is(maps[69_999].getItem(0), 7);
  assert.is(maps[0].getItem(0), 0);
  for (const m of maps) m.close();
});

test('one map can be nearly as large as a wasm32 memory: 4 GiB less 8 MiB; 4 GiB is ENOMEM', () => {
  const m = new MMap(-1, 2 ** 32 - 8 * 2 ** 20);
  m.setItem(-1, 42);
  assert.is(m.getItem(-1), 42);
  assert.is(m.rfind(new Uint8Array([42])), m.length - 1);
  m.close();
  throwsOSError(() => new MMap(-1, 2 ** 32), 12);
});

test('20,000 maps too large for any core are ENOMEM each, without a new core each time', () => {
  for (let i = 0; i < 20_000; i++) {
    throwsOSError(() => new MMap(-1, 2 ** 35), 12);
  }
  const m = new MMap(-1, 10);
  assert.is(m.length, 10);
  m.close();
});

test.run();
