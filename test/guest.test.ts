// The guest library (assembly/guest.ts) through the example guest (examples/guest/): the same
// WASI command under Node's node:wasi and under Wasmtime (wasmtime-py) must print what
// examples/guest/reference.py prints with CPython's mmap, and leave the same file.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { guestTest, wasmtimeTest, PYTHON } from './guests/setup.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const RUN_NODE = here('../examples/guest/run-node.mjs');
const RUN_WASMTIME = here('../examples/guest/run_wasmtime.py');
const REFERENCE = here('../examples/guest/reference.py');

const FILES: Record<string, Buffer> = {
  'lines.txt': Buffer.from('hello world\nfoo bar foo\nlast line no newline foo'),
  'empty-lines.txt': Buffer.from('\n\nfoo\n\n'),
  // Several pages, the needle across a page boundary and at the very end.
  'pages.txt': Buffer.concat([Buffer.alloc(4094, 'x'), Buffer.from('foo\n'), Buffer.alloc(9000, 'y\n'), Buffer.from('foo')]),
};

type Run = { stdout: string; file: Buffer; status: number | string };

/** Runs one program over a fresh copy of `name` in a directory of its own. */
function run(name: string, command: string, args: (dir: string) => string[], cwd?: boolean): Run {
  const dir = fs.mkdtempSync(join(tmpdir(), 'wasm-mmap-guest-'));
  try {
    fs.writeFileSync(join(dir, name), FILES[name]);
    const r = spawnSync(command, args(dir), { encoding: 'utf8', cwd: cwd ? dir : undefined });
    return { stdout: r.stdout, file: fs.readFileSync(join(dir, name)), status: r.status ?? `${r.signal}: ${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const cpython = (name: string) => run(name, PYTHON, () => [REFERENCE, name, 'foo', 'FOO'], true);
const inNode = (name: string) => run(name, process.execPath, (dir) => [RUN_NODE, dir, `/data/${name}`, 'foo', 'FOO']);
const inWasmtime = (name: string) => run(name, PYTHON, (dir) => [RUN_WASMTIME, dir, `/data/${name}`, 'foo', 'FOO']);

for (const name of Object.keys(FILES)) {
  guestTest(`example guest under node:wasi = CPython (${name}): output and file`, () => {
    const want = cpython(name);
    const got = inNode(name);
    assert.is(got.status, 0);
    assert.is(got.stdout, want.stdout);
    assert.ok(got.file.equals(want.file), 'the file after the run');
  });
  wasmtimeTest(`example guest under Wasmtime = CPython (${name}): output and file`, () => {
    const want = cpython(name);
    const got = inWasmtime(name);
    assert.is(got.status, 0);
    assert.is(got.stdout, want.stdout);
    assert.ok(got.file.equals(want.file), 'the file after the run');
  });
}

guestTest('a path no preopen covers, or one that leaves the preopen, is an error inside the guest', () => {
  for (const [path, want] of [
    ['/data/missing.txt', "open FileNotFoundError: [Errno 2] No such file or directory: '/data/missing.txt'\n"],
    ['/etc/passwd', "open FileNotFoundError: [Errno 2] No such file or directory: '/etc/passwd'\n"],
  ]) {
    const got = run('lines.txt', process.execPath, (dir) => [RUN_NODE, dir, path, 'foo', 'FOO']);
    assert.is(got.status, 0);
    assert.is(got.stdout, want);
  }
  const escape = run('lines.txt', process.execPath, (dir) => [RUN_NODE, dir, '/data/../../etc/passwd', 'foo', 'FOO']);
  assert.match(escape.stdout, /^open (PermissionError|OSError|FileNotFoundError): \[Errno \d+\] /);
});

guestTest("the guest's strerror texts are glibc's, as python3 gives them", () => {
  const source = fs.readFileSync(here('../assembly/pyerrors.ts'), 'utf8');
  const texts = /const STRERROR = '(.*)';/.exec(source)![1].replace(/\\'/g, "'").split('\\n');
  const py = spawnSync(PYTHON, ['-c', 'import os, json; print(json.dumps([os.strerror(e) for e in range(1, 134)]))'], { encoding: 'utf8' });
  const want = (JSON.parse(py.stdout) as string[]).map((t) => (t.startsWith('Unknown error') ? '' : t));
  assert.equal(texts, want);
});

test.run();
