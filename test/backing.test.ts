// What each backing promises about the file (docs/spec/API.md, Backings), checked against the file
// itself and, where another process is involved, against python3.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACCESS_READ, MMap } from '../src/index.ts';
import { TempDir, bytes, text } from './helpers.ts';

const test = suite(`backing ${process.env.WASM_MMAP_BACKING ?? 'auto'}`);
const tmp = new TempDir();
test.after(() => tmp.cleanup());

function mapFile(path: string, flags: string, options = {}): MMap {
  const fd = fs.openSync(path, flags);
  const m = new MMap(fd, 0, options);
  fs.closeSync(fd);
  return m;
}

test('a map that wrote nothing writes nothing back over another writer', () => {
  const path = tmp.file('0123456789');
  const m = mapFile(path, 'r+');
  const fd = fs.openSync(path, 'r+');
  fs.writeSync(fd, bytes('A'), 0, 1, 0);
  fs.closeSync(fd);
  m.flush();
  m.close();
  assert.is(text(fs.readFileSync(path)), 'A123456789'); // as CPython: mmap never rewrites untouched bytes
});

test('flush and close publish exactly the bytes the map wrote', () => {
  const path = tmp.file('0123456789');
  const m = mapFile(path, 'r+');
  m.setItem(8, 90);
  const fd = fs.openSync(path, 'r+');
  fs.writeSync(fd, bytes('A'), 0, 1, 0);
  fs.closeSync(fd);
  m.flush();
  assert.is(text(fs.readFileSync(path)), 'A1234567Z9');
  m.seek(2);
  m.write('xy');
  m.close();
  assert.is(text(fs.readFileSync(path)), 'A1xy4567Z9');
});

test('python3 sees a flushed write, and the map reads what python3 wrote before it opened', () => {
  const path = tmp.file('hello world');
  const m = mapFile(path, 'r+');
  m.write('HELLO');
  m.flush();
  const seen = spawnSync('python3', ['-c', `print(open(${JSON.stringify(path)}, 'rb').read().decode())`], { encoding: 'utf8' });
  assert.is(seen.stdout.trim(), 'HELLO world');
  m.close();
});

test('a read-only native map stays read-only after the memory grows', () => {
  if (process.env.WASM_MMAP_BACKING !== 'native') return;
  const path = tmp.file('x'.repeat(4096));
  const m = mapFile(path, 'r', { access: ACCESS_READ });
  const big = new MMap(-1, 64 << 20); // grows the core's memory: V8 makes all of it read-write
  const lines = fs.readFileSync('/proc/self/maps', 'latin1').split('\n').filter((l) => l.endsWith(fs.realpathSync(path)));
  assert.is(lines.length, 1);
  assert.match(lines[0], /^\S+ r--p /);
  assert.throws(() => m.write('y'), (e: Error) => e instanceof TypeError);
  big.close();
  m.close();
});

test.run();
