// Maps a real file and uses it as Python's mmap would. Run it with `npm start`.
import { openSync, closeSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MMap, ACCESS_READ, ValueError } from 'wasm-mmap';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mmap-'));
const path = join(dir, 'hello.txt');
writeFileSync(path, 'Hello, world!\nSecond line\nThird line\n');

const fd = openSync(path, 'r+');
const m = new MMap(fd, 0);           // 0 = the whole file, read-write, shared
closeSync(fd);                       // the map keeps its own duplicate of the fd
console.log(String(m), `(backing: ${m.backing})`);

const text = (bytes) => new TextDecoder().decode(bytes);
console.log('first line:', JSON.stringify(text(m.readline())));
console.log('"line" is at', m.find('line'), 'and last at', m.rfind('line'));
m.setSlice(0, 5, 'HELLO');           // m[0:5] = b'HELLO'
m.flush();                           // the copy backing publishes here; native already did
console.log('file now starts with', JSON.stringify(readFileSync(path, 'utf8').slice(0, 13)));

m.seek(0, 2);                        // to the end
try {
  m.readByte();
} catch (error) {
  console.log('at the end:', error instanceof ValueError, error.message);
}
m.close();

// A read-only map stays read-only.
const ro = openSync(path, 'r');
const r = new MMap(ro, 0, { access: ACCESS_READ });
try {
  r.write('x');
} catch (error) {
  console.log('read-only:', error.name, error.message);
}
console.log(String(r));
r.close();
closeSync(ro);
rmSync(dir, { recursive: true });
