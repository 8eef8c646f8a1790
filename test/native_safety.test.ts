// The native backing only where the memory's base cannot move: under
// --disable-wasm-trap-handler (V8 then may move the memory on grow) 'auto' picks the copy
// backing and 'native' is OSError ENOTSUP, in a child node run with that flag.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { TempDir } from './helpers.ts';

const test = suite('where the native backing may map');
const tmp = new TempDir();
test.after(() => tmp.cleanup());

function child(flags: string[], path: string): { auto: string; native: string } {
  const script = `
import { openSync } from 'node:fs';
import { MMap } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).pathname)};
const fd = openSync(${JSON.stringify(path)}, 'r+');
const auto = new MMap(fd, 0, { backing: 'auto' }).backing;
let native;
try { native = new MMap(fd, 0, { backing: 'native' }).backing; } catch (e) { native = e.name + ' ' + e.errno + ' ' + e.message; }
console.log(JSON.stringify({ auto, native }));`;
  const env = { ...process.env };
  delete env.WASM_MMAP_BACKING;
  const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.is(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

(MMap.nativeAvailable ? test : test.skip)('with the trap handler (the default), auto is native where the helper loaded', () => {
  const got = child([], tmp.file('abc'));
  assert.equal(got, { auto: 'native', native: 'native' });
});

test('without the trap handler, auto is copy and native is ENOTSUP with the reason', () => {
  const got = child(['--disable-wasm-trap-handler'], tmp.file('abc'));
  assert.is(got.auto, 'copy');
  assert.match(got.native, /^OSError 95 \[Errno 95\] Operation not supported: the native backing is unavailable here/);
});

test('where the helper did not load, MMap.nativeError says why and how to fix it', () => {
  if (MMap.nativeAvailable) {
    assert.is(MMap.nativeError, undefined);
  } else {
    assert.match(MMap.nativeError!, /Possible solutions/);
  }
  assert.ok(fs.existsSync(new URL('../build/core.wasm', import.meta.url)));
});

test.run();
