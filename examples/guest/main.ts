// An example WASI command built on wasm-mmap's guest library: maps a file under its preopened
// directories, searches it, counts its lines, patches bytes and writes them back.
//   guest <path> <needle> <replacement>   (replacement as long as needle)
// reference.py does the same with CPython's mmap; the two must print the same lines and leave
// the same file (test/guest.test.ts).
import { MMap, ACCESS_READ, lastError } from '../../assembly/guest';

function bytes(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function fail(what: string): void { console.log(what + ' ' + lastError()!.toString()); }

function main(): void {
  const args = process.argv; // argv[0] is the program
  if (args.length < 4) {
    console.log('usage: guest <path> <needle> <replacement>');
    process.exit(2);
    return;
  }
  const path = args[1];
  const needle = bytes(args[2]);
  const replacement = bytes(args[3]);

  const m = MMap.open(path);
  if (m === null) {
    fail('open');
  } else {
    console.log('length ' + (<i64>m.length).toString() + ' size ' + (<i64>m.size()).toString());
    console.log('find ' + (<i64>m.find(needle)).toString() + ' rfind ' + (<i64>m.rfind(needle)).toString());
    let lines = 0;
    while (true) {
      const line = m.readline();
      if (line === null || line.length == 0) break;
      lines++;
    }
    console.log('lines ' + lines.toString() + ' pos ' + (<i64>m.tell()).toString());
    if (m.seek(-1) < -1) fail('seek');
    let patched = 0;
    let at = m.find(needle, 0);
    while (at >= 0) {
      m.setSlice(at, at + needle.length, replacement);
      patched++;
      at = m.find(needle, at + needle.length);
    }
    console.log('patched ' + patched.toString());
    if (!m.flush()) fail('flush');
    m.close();
    if (m.read(1) === null) fail('read');
  }

  // A read-only map refuses writes with CPython's TypeError; the program goes on.
  const r = MMap.open(path, 0, 1, 3, ACCESS_READ);
  if (r !== null) {
    if (r.write(needle) < -1) fail('write');
    console.log('first line ' + r.readline()!.length.toString() + ' bytes');
    r.close();
  }
}

main();
