// The native helper is optional: a failed build leaves the install green, and a package whose
// helper cannot load says why, and works on the copy backing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packageWithoutHelper, TempDir } from './helpers.ts';

const test = suite('optional native helper');
const tmp = new TempDir();
test.after(() => tmp.cleanup());
const root = new URL('..', import.meta.url).pathname;

test('host/build.mjs without a C compiler exits 0 with one line of explanation', () => {
  const dir = path.join(tmp.dir, 'pkg-build');
  fs.mkdirSync(path.join(dir, 'host'), { recursive: true });
  for (const f of ['build.mjs', 'mmap_helper.c', 'pages.c', 'pages.h']) fs.copyFileSync(path.join(root, 'host', f), path.join(dir, 'host', f));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const run = spawnSync(process.execPath, [path.join(dir, 'host/build.mjs')], {
    encoding: 'utf8', env: { ...process.env, CC: '/nonexistent/cc' },
  });
  assert.is(run.status, 0);
  assert.match(run.stdout, /^wasm-mmap: native helper not built: no C compiler .*; wasm-mmap will use the copy backing\.\n$/);
  assert.not.ok(fs.existsSync(path.join(dir, 'build/mmap_helper.node')));
});

test('host/build.mjs without a C compiler says what the maps will use: a shipped helper that loads, or the copy backing', () => {
  const dir = path.join(tmp.dir, 'pkg-prebuilt');
  fs.mkdirSync(path.join(dir, 'host'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'build'));
  for (const f of ['build.mjs', 'mmap_helper.c']) fs.copyFileSync(path.join(root, 'host', f), path.join(dir, 'host', f));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const run = () => spawnSync(process.execPath, [path.join(dir, 'host/build.mjs')], {
    encoding: 'utf8', env: { ...process.env, CC: '/nonexistent/cc' },
  });
  fs.copyFileSync(path.join(root, 'build/mmap_helper.node'), path.join(dir, 'build/mmap_helper.node'));
  let out = run();
  assert.is(out.status, 0);
  assert.match(out.stdout, /^wasm-mmap: native helper not built: no C compiler .*; the prebuilt build\/mmap_helper\.node loads, so wasm-mmap will use it \(the native backing\)\.\n$/);
  fs.writeFileSync(path.join(dir, 'build/mmap_helper.node'), 'not a shared object');
  out = run();
  assert.is(out.status, 0);
  assert.match(out.stdout, /; the prebuilt build\/mmap_helper\.node does not load \(.*\); wasm-mmap will use the copy backing\.\n$/);
});

test('a package without its helper: nativeAvailable false, nativeError says why and what to do, maps use copy', () => {
  const dir = packageWithoutHelper(path.join(tmp.dir, 'pkg-load'));
  const file = tmp.file('hello');
  const script = `
import { openSync } from 'node:fs';
import { MMap } from ${JSON.stringify(path.join(dir, 'dist/index.js'))};
const fd = openSync(${JSON.stringify(file)}, 'r+');
let native;
try { new MMap(fd, 0, { backing: 'native' }); } catch (e) { native = e.name + ' ' + e.errno; }
console.log(JSON.stringify({ available: MMap.nativeAvailable, error: MMap.nativeError, auto: new MMap(fd, 0).backing, native }));`;
  const env = { ...process.env };
  delete env.WASM_MMAP_BACKING;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.is(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout);
  assert.is(got.available, false);
  assert.match(got.error, /could not load build\/mmap_helper\.node/);
  assert.match(got.error, /Possible solutions:\n- Run `npm rebuild wasm-mmap`/);
  assert.is(got.auto, 'copy');
  assert.is(got.native, 'OSError 95');
});

test.run();
