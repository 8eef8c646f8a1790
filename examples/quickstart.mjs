// Maps a file and uses it as Python's mmap would, then the batch operations. `npm start` runs it.
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MMap, ACCESS_READ, ValueError } from 'wasm-mmap';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mmap-'));
const path = join(dir, 'hello.txt');
writeFileSync(path, 'Hello, world!\nSecond line\nThird line\n');

const m = MMap.open(path);            // the whole file, shared, read-write; the map owns its fd
console.log(m, `(backing: ${m.backing})`);
console.log('first line:', new TextDecoder().decode(m.readline()));
console.log('"line" is at', m.find('line'), 'and last at', m.rfind('line'));
console.log('"line" occurs', m.count('line', 0), 'times, at', m.findAll('line', 0));
m.setSlice(0, 5, 'HELLO');            // m[0:5] = b'HELLO'
m.flush();                            // the copy backing publishes here; native already did
console.log('file now starts with', readFileSync(path, 'utf8').slice(0, 13));

m.seek(0);
for (const line of m.lines()) console.log('line:', line, '| cursor now at', m.tell());
try {
  m.readByte();                       // the cursor is at the end
} catch (error) {
  console.log('at the end:', error instanceof ValueError, error.message);
}
m.close();

const r = MMap.open(path, { access: ACCESS_READ }); // opened read-only, mapped read-only
try {
  r.write('x');
} catch (error) {
  console.log('read-only:', error.name, error.message);
}
r.close();
rmSync(dir, { recursive: true });
