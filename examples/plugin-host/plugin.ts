// An untrusted plugin: a WASI command that maps files with wasm-mmap's guest library. A host
// (host.mjs in Node, host.py in Wasmtime) runs it with one preopened directory, /data.
//   plugin lines <path>        the file's line count, through a map
//   plugin patch <path> <text> writes <text> at the start of the file through a shared map
//   plugin escape              tries paths outside /data: each must fail inside the plugin
//   plugin readonly <path>     writes to an ACCESS_READ map: CPython's TypeError, inside the plugin
//   plugin trap <path>         maps the file, then traps (a bug in the plugin)
//   plugin spin <path>         maps the file, then never returns
import { MMap, ACCESS_READ, lastError } from '../../assembly/guest';

function bytes(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function report(what: string): void { console.log(what + ' ' + lastError()!.toString()); }

function lines(path: string): void {
  const m = MMap.open(path, 0, 1, 3, ACCESS_READ);
  if (m === null) { report('open'); return; }
  let n = 0;
  while (true) {
    const line = m.readline();
    if (line === null || line.length == 0) break;
    n++;
  }
  m.close();
  console.log('lines ' + n.toString());
}

function patch(path: string, text: string): void {
  const m = MMap.open(path);
  if (m === null) { report('open'); return; }
  if (m.write(bytes(text)) < 0) report('write');
  if (!m.flush()) report('flush');
  m.close();
  console.log('patched');
}

function escape(): void {
  const paths = ['/data/../secret.txt', '/secret.txt', '../secret.txt', '/etc/passwd', '/data/link/secret.txt'];
  for (let i = 0; i < paths.length; i++) {
    const m = MMap.open(paths[i], 0, 1, 3, ACCESS_READ);
    if (m === null) report('open ' + paths[i]);
    else { console.log('opened ' + paths[i] + ': ' + m.read(64)!.length.toString() + ' bytes'); m.close(); }
  }
}

function readonly(path: string): void {
  const m = MMap.open(path, 0, 1, 3, ACCESS_READ);
  if (m === null) { report('open'); return; }
  if (m.write(bytes('x')) < -1) report('write');
  if (!m.setItem(0, 120)) report('setItem');
  console.log('first byte ' + m.getItem(0).toString());
  m.close();
}

function main(): void {
  const args = process.argv;
  const what = args.length > 1 ? args[1] : '';
  const path = args.length > 2 ? args[2] : '';
  if (what == 'lines') lines(path);
  else if (what == 'patch') patch(path, args[3]);
  else if (what == 'escape') escape();
  else if (what == 'readonly') readonly(path);
  else if (what == 'trap' || what == 'spin') {
    const m = MMap.open(path);
    if (m === null) { report('open'); return; }
    m.write(bytes('never written back'));
    console.log('mapped');
    if (what == 'trap') unreachable();
    let x: u64 = 0;
    while (m.length > 0) x++;
  } else {
    console.log('usage: plugin lines|patch|escape|readonly|trap|spin <path> [text]');
  }
}

main();
