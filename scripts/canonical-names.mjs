// An asc transform for assembly/component.ts: AssemblyScript cannot spell the canonical ABI's
// export names, so after compilation `static_open` becomes
// `wasm-mmap:mmap/mmap@0.1.0#[static]mmap-object.open`, `method_read_byte` becomes
// `…#[method]mmap-object.read-byte` and `dtor` becomes `…#[dtor]mmap-object`.
import { Transform } from 'assemblyscript/transform';

const INTERFACE = 'wasm-mmap:mmap/mmap@0.1.0';
const RESOURCE = 'mmap-object';

function canonical(name) {
  if (name === 'dtor') return `${INTERFACE}#[dtor]${RESOURCE}`;
  const m = /^(static|method)_(.+)$/.exec(name);
  return m === null ? null : `${INTERFACE}#[${m[1]}]${RESOURCE}.${m[2].replace(/_/g, '-')}`;
}

export default class CanonicalNames extends Transform {
  /** `wasm` is binaryen.js's Module; `this.binaryen` is the compiler's own binaryen.js. */
  afterCompile(wasm) {
    const binaryen = this.binaryen;
    const renames = [];
    for (let i = 0; i < wasm.getNumExports(); i++) {
      const info = binaryen.getExportInfo(wasm.getExportByIndex(i));
      const name = canonical(info.name);
      if (info.kind === binaryen.ExternalFunction && name !== null) renames.push([info.name, info.value, name]);
    }
    for (const [from, internal, to] of renames) {
      wasm.removeExport(from);
      wasm.addFunctionExport(internal, to);
    }
  }
}
