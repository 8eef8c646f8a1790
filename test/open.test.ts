// MMap.open(path): the fd it opens (read-only or read-write, owned by the map), and its errors
// against CPython's `open(path)` (class, str(e), errno, filename); util.inspect shows the repr;
// the warning when 'auto' puts a shared writable file map on the copy backing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACCESS_COPY, ACCESS_READ, MMap, OSError, PROT_READ, ValueError } from '../src/index.ts';
import { catchError, packageWithoutHelper, python, TempDir, throwsExact } from './helpers.ts';

const tmp = new TempDir();
const root = new URL('..', import.meta.url).pathname;

/**
 * The fds this process has open on `file`, with their access mode (O_RDONLY 0, O_RDWR 2). Only
 * that file's: the test runner's loader opens and closes fds of its own at any time.
 */
function fdsOf(file: string): Map<number, number> {
  const fds = new Map<number, number>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${name}`) !== file) continue;
      const flags = /flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${name}`, 'utf8'))![1];
      fds.set(Number(name), parseInt(flags, 8) & 3);
    } catch {
      // the directory's own fd, gone by now
    }
  }
  return fds;
}

const test = suite('MMap.open');

test('maps the whole file, owning one fd of the right mode: read-only for ACCESS_READ or a prot without PROT_WRITE', () => {
  const file = tmp.file('hello\nworld\n');
  for (const [options, mode] of [
    [undefined, 2], [{}, 2], [{ access: ACCESS_READ }, 0], [{ prot: PROT_READ }, 0], [{ access: ACCESS_COPY }, 2],
  ] as const) {
    const before = fdsOf(file);
    const m = MMap.open(file, options);
    const added = [...fdsOf(file)].filter(([fd]) => !before.has(fd));
    assert.equal(added.map(([, m]) => m), [mode], `${JSON.stringify(options)}: one new fd, mode ${mode}`);
    assert.is(m.length, 12);
    assert.is(Buffer.from(m.readline()).toString(), 'hello\n');
    m.close();
    assert.equal([...fdsOf(file)].filter(([fd]) => !before.has(fd)), [], 'close() closes it');
  }
});

test('a URL, a length, an offset, and the constructor\'s checks', () => {
  const file = tmp.file('x'.repeat(8192));
  const m = MMap.open(pathToFileURL(file), { length: 100, offset: 4096 });
  assert.is(m.toString(), '<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=100, pos=0, offset=4096>');
  m.close();
  throwsExact(() => MMap.open(tmp.file('')), ValueError, 'cannot mmap an empty file');
  throwsExact(() => MMap.open(file, { length: 9000 }), ValueError, 'mmap length is greater than file size');
});

test("the path is read without running the caller's code: a URL by its own slot, anything else refused", () => {
  const file = tmp.file('genuine');
  const other = tmp.file('other');
  let ran = 0;
  const acting = () => { ran++; return pathToFileURL(other).href; };
  class Lying extends URL {
    get href() { return acting(); }
    get pathname() { return acting(); }
    toString() { return acting(); }
  }
  const m = MMap.open(new Lying(pathToFileURL(file)));
  assert.is(new TextDecoder().decode(m.getSlice()), 'genuine');
  m.close();
  const refused: [unknown, string][] = [
    [new Proxy(pathToFileURL(file), { get: acting, getPrototypeOf: () => { ran++; return URL.prototype; } }), 'object'],
    [Object.create(URL.prototype), 'URL'],
    [{ toString: acting, [Symbol.toPrimitive]: acting }, 'Object'],
    [Buffer.from(file), 'Buffer'],
    [3, 'int'],
  ];
  for (const [value, type] of refused) {
    throwsExact(() => MMap.open(value as any), TypeError, `path must be a string or a file: URL, not a value of type '${type}'`);
  }
  assert.is(ran, 0);
});

test("a failed open is CPython's OSError for open(path): class, str(e), errno, code and path", () => {
  const file = tmp.file('x');
  const cases = [
    path.join(tmp.dir, 'missing.log'),
    path.join(file, 'below-a-file'),
    tmp.dir,
    path.join(tmp.dir, "it's"),
    path.join(tmp.dir, 'tab\there "quoted" \\ é'),
    path.join(tmp.dir, 'n'.repeat(300)),
  ];
  const want = python<[string, string, number, string][]>(`
import errno, json, sys
out = []
for p in json.load(sys.stdin):
    try:
        open(p, 'r+b')
    except OSError as e:
        out.append([type(e).__name__, str(e), e.errno, errno.errorcode[e.errno]])
print(json.dumps(out))`, cases);
  cases.forEach((p, k) => {
    const [name, message, errno, code] = want[k];
    const e = catchError(() => MMap.open(p));
    assert.instance(e, OSError);
    assert.is(e.message, message);
    assert.is(e.name, name);
    assert.is(e.errno, errno);
    assert.is(e.code, code);
    assert.is(e.path, p);
  });
  // Read-only too: a directory opens read-only on Linux, but Python's open() refuses it.
  const e = catchError(() => MMap.open(tmp.dir, { access: ACCESS_READ }));
  assert.instance(e, OSError);
  assert.is(e.message, `[Errno 21] Is a directory: '${tmp.dir}'`);
  assert.is(e.name, 'IsADirectoryError');
});

test.run();

const shown = suite('console.log and util.inspect show the repr');

shown('open and closed', () => {
  const m = new MMap(-1, 10);
  assert.is(inspect(m), '<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0>');
  assert.is(inspect({ m }, { breakLength: Infinity }), '{ m: <mmap.mmap closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0> }');
  m.close();
  assert.is(inspect(m), '<mmap.mmap closed=True>');
});

shown.run();

const warning = suite("a shared writable file map that 'auto' puts on the copy backing warns, once");

warning('a package without its helper: one warning for shared writable maps; none when asked for copy, read-only or private', () => {
  const dir = packageWithoutHelper(path.join(tmp.dir, 'pkg-warn'));
  const file = tmp.file('hello');
  const run = (opens: string) => {
    const script = `
import { MMap, ACCESS_READ, MAP_PRIVATE } from ${JSON.stringify(path.join(dir, 'dist/index.js'))};
const file = ${JSON.stringify(file)};
${opens}`;
    const env = { ...process.env };
    delete env.WASM_MMAP_BACKING;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    assert.is(child.status, 0, child.stderr);
    return child.stderr;
  };
  const loud = run("MMap.open(file).close(); MMap.open(file).close();");
  const warnings = loud.split('\n').filter((line) => line.includes('WasmMmapWarning'));
  assert.is(warnings.length, 1, loud);
  assert.match(warnings[0], /\[WASM_MMAP_COPY_BACKING\] WasmMmapWarning: a shared writable map of a file uses the copy backing: could not load build\/mmap_helper\.node/);
  assert.match(warnings[0], /Other processes and threads see its writes only after flush\(\) or close\(\), and it never sees theirs\. Pass \{ backing: 'copy' \} to silence this warning/);
  assert.is(run(`
MMap.open(file, { backing: 'copy' }).close();
MMap.open(file, { access: ACCESS_READ }).close();
MMap.open(file, { flags: MAP_PRIVATE }).close();
new MMap(-1, 10).close();`), '');
});

warning("an unsafe host (V8's trap handler off): the warning says the memory can move", () => {
  const file = tmp.file('hello');
  const env = { ...process.env };
  delete env.WASM_MMAP_BACKING;
  const script = `import { MMap } from ${JSON.stringify(path.join(root, 'dist/index.js'))};
const m = MMap.open(${JSON.stringify(file)}); console.log(m.backing); m.close();`;
  const child = spawnSync(process.execPath, ['--disable-wasm-trap-handler', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stdout, 'copy\n');
  const reason = MMap.nativeAvailable ? "this process's WebAssembly memory can move \\(V8's trap handler is off\\)" : 'could not load';
  assert.match(child.stderr, new RegExp(`WasmMmapWarning: a shared writable map of a file uses the copy backing: ${reason}`));
});

warning.after(() => tmp.cleanup());
warning.run();
