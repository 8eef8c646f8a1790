// The plugin hosts of examples/plugin-host/ with an untrusted plugin (plugin.ts) that maps files:
// node:wasi in a worker thread (host.mjs) and Wasmtime from Python (host.py). What each test
// proves is in its name.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { guestTest, PYTHON, wasmtimeTest } from './guests/setup.ts';
// @ts-expect-error: a plain ES module without types
import { runPlugin } from '../examples/plugin-host/host.mjs';

type Run = { status: 'exit' | 'trap' | 'timeout'; code?: number; error?: string; stdout: string };
const HOST_PY = fileURLToPath(new URL('../examples/plugin-host/', import.meta.url));

/** A directory to grant (box/, with data.txt) inside one the plugin must not reach (secret.txt). */
function sandbox(): { root: string; box: string; data: string; secret: string } {
  const root = fs.mkdtempSync(join(tmpdir(), 'wasm-mmap-plugin-test-'));
  const box = join(root, 'box');
  fs.mkdirSync(box);
  fs.writeFileSync(join(box, 'data.txt'), 'one\ntwo\nthree\n');
  fs.writeFileSync(join(root, 'secret.txt'), 'secret\n');
  return { root, box, data: join(box, 'data.txt'), secret: join(root, 'secret.txt') };
}

const ESCAPES = [
  "open /data/../secret.txt PermissionError: [Errno 1] Operation not permitted: '/data/../secret.txt'",
  "open /secret.txt FileNotFoundError: [Errno 2] No such file or directory: '/secret.txt'",
  "open ../secret.txt FileNotFoundError: [Errno 2] No such file or directory: '../secret.txt'",
  "open /etc/passwd FileNotFoundError: [Errno 2] No such file or directory: '/etc/passwd'",
];
const READONLY = "write TypeError: mmap can't modify a readonly memory map.\n"
  + "setItem TypeError: mmap can't modify a readonly memory map.\nfirst byte 111\n";

guestTest('Node: the plugin cannot open a file outside its one directory (.., absolute paths, other roots)', async () => {
  const s = sandbox();
  try {
    const r: Run = await runPlugin({ dir: s.box, args: ['escape'] });
    assert.equal(r.status, 'exit');
    // No symbolic link in the granted directory: node:wasi would follow one (host.mjs says why).
    assert.is(r.stdout, `${ESCAPES.join('\n')}\nopen /data/link/secret.txt FileNotFoundError: [Errno 2] No such file or directory: '/data/link/secret.txt'\n`);
  } finally {
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});

guestTest('Node: a write to a read-only map is TypeError inside the plugin; the host and the file are untouched', async () => {
  const s = sandbox();
  try {
    const r: Run = await runPlugin({ dir: s.box, args: ['readonly', '/data/data.txt'] });
    assert.equal([r.status, r.code, r.stdout], ['exit', 0, READONLY]);
    assert.is(fs.readFileSync(s.data, 'utf8'), 'one\ntwo\nthree\n');
  } finally {
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});

guestTest("Node: a plugin that traps or never returns ends alone; the host's own maps stay intact and usable", async () => {
  const s = sandbox();
  fs.writeFileSync(join(s.root, 'host.bin'), Buffer.alloc(8192, 0x61));
  const fd = fs.openSync(join(s.root, 'host.bin'), 'r+');
  const host = new MMap(fd, 0);
  fs.closeSync(fd);
  try {
    host.write(new TextEncoder().encode('before'));
    const trapped: Run = await runPlugin({ dir: s.box, args: ['trap', '/data/data.txt'] });
    assert.is(trapped.status, 'trap');
    assert.match(trapped.error!, /unreachable/);
    assert.is(trapped.stdout, 'mapped\n');
    const spun: Run = await runPlugin({ dir: s.box, args: ['spin', '/data/data.txt'], timeoutMs: 300 });
    assert.equal([spun.status, spun.stdout], ['timeout', 'mapped\n']);
    // The plugins' writes were never flushed: their file is as it was.
    assert.is(fs.readFileSync(s.data, 'utf8'), 'one\ntwo\nthree\n');
    // The host's map: its bytes, its cursor, and it still writes through to its file.
    assert.is(host.tell(), 6);
    assert.is(new TextDecoder().decode(host.getSlice(0, 6)), 'before');
    host.write(new TextEncoder().encode('-after'));
    host.flush();
    assert.is(fs.readFileSync(join(s.root, 'host.bin'), 'latin1').slice(0, 13), 'before-aftera');
    // And the next plugin runs as usual.
    const next: Run = await runPlugin({ dir: s.box, args: ['lines', '/data/data.txt'] });
    assert.equal([next.status, next.stdout], ['exit', 'lines 3\n']);
  } finally {
    host.close();
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});

wasmtimeTest('Wasmtime (Python): the same plugin; no file outside its directory (symbolic links included), read-only writes are errors inside it, a trap and an endless loop (epoch interruption) leave the host and its own map intact', () => {
  const s = sandbox();
  fs.symlinkSync(s.root, join(s.box, 'link'));
  fs.writeFileSync(join(s.root, 'host.bin'), Buffer.alloc(8192, 0x61));
  // One Python process runs every plugin in turn while it holds a CPython mmap of its own.
  const script = `
import json, mmap, sys
sys.path.insert(0, ${JSON.stringify(HOST_PY)})
from host import run_plugin
box, own = sys.argv[1], sys.argv[2]
with open(own, 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0)
m.write(b'before')
runs = [run_plugin(box, args, 300) for args in (['escape'], ['readonly', '/data/data.txt'], ['trap', '/data/data.txt'], ['spin', '/data/data.txt'], ['lines', '/data/data.txt'])]
print(json.dumps({'runs': runs, 'pos': m.tell(), 'head': m[:6].decode()}))
m.close()
`;
  try {
    const p = spawnSync(PYTHON, ['-c', script, s.box, join(s.root, 'host.bin')], { encoding: 'utf8', timeout: 60_000 });
    assert.is(p.status, 0, p.stderr);
    const { runs, pos, head } = JSON.parse(p.stdout) as { runs: Run[]; pos: number; head: string };
    const [escape, readonly, trapped, spun, lines] = runs;
    assert.is(escape.stdout, `${ESCAPES.join('\n')}\nopen /data/link/secret.txt PermissionError: [Errno 1] Operation not permitted: '/data/link/secret.txt'\n`);
    assert.equal([readonly.status, readonly.code, readonly.stdout], ['exit', 0, READONLY]);
    assert.is(trapped.status, 'trap');
    assert.match(trapped.error!, /unreachable/);
    assert.equal([spun.status, spun.stdout], ['timeout', 'mapped\n']);
    assert.equal([lines.status, lines.stdout], ['exit', 'lines 3\n']);
    assert.equal([pos, head], [6, 'before']);
    assert.is(fs.readFileSync(s.data, 'utf8'), 'one\ntwo\nthree\n');
  } finally {
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});

test.run();
