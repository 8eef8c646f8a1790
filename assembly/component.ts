// The component's canonical-ABI glue (wit/mmap.wit): AssemblyScript has no wit-bindgen, so each
// export below is one WIT function lowered by hand. Exports named `static_x`, `method_x` and
// `dtor` get their canonical names (`wasm-mmap:mmap/mmap@0.1.0#[method]mmap-object.x`) from
// scripts/canonical-names.mjs at compile time. Every method is a plain call of assembly/guest.ts,
// whose MMap holds the semantics (the core's) and the WASI I/O.
//
// Flat parameters: option<T> arrives as (present i32, value); list<u8> and string as (address,
// length) in memory that cabi_realloc gave (ours to free); the resource as its rep, an index
// into `maps` plus one. Results go through RET, a static return area:
//
//   result<_|u8|list<u8>|mmap-object, error>   result<u64|s64, error>
//   0 tag  4 ok or error                       0 tag  8 ok or error
//   error: +0 kind u8, +4 errno tag u8, +8 errno s32, +12 message address, +16 message length

import { MMap, MMapError, lastError } from './guest';

const PACKAGE = 'wasm-mmap:mmap/mmap@0.1.0';

@external('[export]wasm-mmap:mmap/mmap@0.1.0', '[resource-new]mmap-object')
declare function resourceNew(rep: i32): i32;

const RET: usize = memory.data(32, 8);
/** What RET points into, kept alive (and so unmoved) until the host has lifted it. */
let keep: ArrayBuffer | null = null;
let keepBytes: Uint8Array | null = null;
const maps: Array<MMap | null> = [];

/** The allocator the host lowers strings and lists with (and WASI's adapter takes its state from). */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, size: usize): usize {
  // AssemblyScript's heap gives 16-byte-aligned blocks: enough for every canonical type.
  if (size == 0) return align;
  return old == 0 ? heap.alloc(size) : heap.realloc(old, size);
}

@inline function option(present: i32, value: i64): f64 { return present != 0 ? <f64>value : NaN; }

/** The bytes of a lowered list, copied into a managed array, the lowered block freed. */
function takeList(address: usize, length: usize): Uint8Array {
  const bytes = new Uint8Array(<i32>length);
  if (length > 0) {
    memory.copy(bytes.dataStart, address, length);
    heap.free(address);
  }
  return bytes;
}

function takeString(address: usize, length: usize): string {
  const s = String.UTF8.decodeUnsafe(address, length);
  if (length > 0) heap.free(address);
  return s;
}

function map(rep: i32): MMap { return maps[rep - 1]!; }

/** result<…, error>'s error, its payload at RET + `at`. */
function err(at: usize): usize {
  const e = lastError()!;
  store<u8>(RET, 1);
  store<u8>(RET + at, <u8>e.kind);
  store<u8>(RET + at, e.errno >= 0 ? 1 : 0, 4);
  store<i32>(RET + at, e.errno, 8);
  const text = String.UTF8.encode(e.message);
  keep = text;
  store<usize>(RET + at, changetype<usize>(text), 12);
  store<usize>(RET + at, <usize>text.byteLength, 16);
  return RET;
}

function okUnit(done: bool): usize {
  if (!done) return err(4);
  store<u8>(RET, 0);
  return RET;
}

function okByte(value: i32): usize {
  if (value < -1) return err(4);
  store<u8>(RET, 0);
  store<u8>(RET, <u8>value, 4);
  return RET;
}

/** result<s64|u64, error>: numbers below -1 are failures (find's -1 is a result). */
function okNumber(value: f64): usize {
  if (value < -1) return err(8);
  store<u8>(RET, 0);
  store<i64>(RET, <i64>value, 8);
  return RET;
}

function okBytes(bytes: Uint8Array | null): usize {
  if (bytes === null) return err(4);
  keepBytes = bytes;
  store<u8>(RET, 0);
  store<usize>(RET, bytes.dataStart, 4);
  store<usize>(RET, <usize>bytes.length, 8);
  return RET;
}

function okMap(m: MMap | null): usize {
  if (m === null) return err(4);
  let slot = maps.indexOf(null);
  if (slot < 0) { slot = maps.length; maps.push(m); } else maps[slot] = m;
  store<u8>(RET, 0);
  store<i32>(RET, resourceNew(slot + 1), 4);
  return RET;
}

export function static_open(path: usize, pathLength: usize, length: i64,
  hasFlags: i32, flags: i32, hasProt: i32, prot: i32, hasAccess: i32, access: i32, hasOffset: i32, offset: i64): usize {
  const name = takeString(path, pathLength);
  return okMap(MMap.open(name, <f64>length, hasFlags != 0 ? flags : 1, hasProt != 0 ? prot : 3,
    hasAccess != 0 ? access : 0, hasOffset != 0 ? <f64>offset : 0));
}

export function static_anonymous(length: u64,
  hasFlags: i32, flags: i32, hasProt: i32, prot: i32, hasAccess: i32, access: i32, hasOffset: i32, offset: i64): usize {
  return okMap(MMap.anonymous(<f64>length, hasFlags != 0 ? flags : 1, hasProt != 0 ? prot : 3,
    hasAccess != 0 ? access : 0, hasOffset != 0 ? <f64>offset : 0));
}

/** The resource's destructor: the last handle is gone, so the map closes (writing back). */
export function dtor(rep: i32): void {
  map(rep).close();
  maps[rep - 1] = null;
}

export function method_close(rep: i32): usize { return okUnit(map(rep).close()); }
export function method_closed(rep: i32): i32 { return map(rep).closed ? 1 : 0; }
export function method_length(rep: i32): usize { return okNumber(map(rep).length); }

export function method_find(rep: i32, sub: usize, subLength: usize, hasStart: i32, start: i64, hasEnd: i32, end: i64): usize {
  return okNumber(map(rep).find(takeList(sub, subLength), option(hasStart, start), option(hasEnd, end)));
}

export function method_rfind(rep: i32, sub: usize, subLength: usize, hasStart: i32, start: i64, hasEnd: i32, end: i64): usize {
  return okNumber(map(rep).rfind(takeList(sub, subLength), option(hasStart, start), option(hasEnd, end)));
}

export function method_flush(rep: i32, hasOffset: i32, offset: i64, hasSize: i32, size: i64): usize {
  return okUnit(map(rep).flush(option(hasOffset, offset), option(hasSize, size)));
}

export function method_madvise(rep: i32, advice: i32, hasStart: i32, start: i64, hasLength: i32, length: i64): usize {
  return okUnit(map(rep).madvise(advice, option(hasStart, start), option(hasLength, length)));
}

export function method_move(rep: i32, dest: i64, src: i64, count: i64): usize {
  return okUnit(map(rep).move(<f64>dest, <f64>src, <f64>count));
}

export function method_read(rep: i32, hasN: i32, n: i64): usize { return okBytes(map(rep).read(option(hasN, n))); }
export function method_read_byte(rep: i32): usize { return okByte(map(rep).readByte()); }
export function method_readline(rep: i32): usize { return okBytes(map(rep).readline()); }
export function method_resize(rep: i32, newSize: i64): usize { return okUnit(map(rep).resize(<f64>newSize)); }

export function method_seek(rep: i32, pos: i64, hasWhence: i32, whence: i32): usize {
  return okNumber(map(rep).seek(<f64>pos, hasWhence != 0 ? whence : 0));
}

export function method_seekable(rep: i32): i32 { return 1; }
export function method_size(rep: i32): usize { return okNumber(map(rep).size()); }
export function method_tell(rep: i32): usize { return okNumber(map(rep).tell()); }

export function method_write(rep: i32, data: usize, dataLength: usize): usize {
  return okNumber(map(rep).write(takeList(data, dataLength)));
}

export function method_write_byte(rep: i32, byte: i32): usize { return okUnit(map(rep).writeByte(<u8>byte)); }
export function method_get_item(rep: i32, index: i64): usize { return okByte(map(rep).getItem(<f64>index)); }

export function method_set_item(rep: i32, index: i64, value: i64): usize {
  return okUnit(map(rep).setItem(<f64>index, <f64>value));
}

export function method_get_slice(rep: i32, hasStart: i32, start: i64, hasStop: i32, stop: i64, hasStep: i32, step: i64): usize {
  return okBytes(map(rep).getSlice(option(hasStart, start), option(hasStop, stop), option(hasStep, step)));
}

export function method_set_slice(rep: i32, hasStart: i32, start: i64, hasStop: i32, stop: i64,
  data: usize, dataLength: usize, hasStep: i32, step: i64): usize {
  return okUnit(map(rep).setSlice(option(hasStart, start), option(hasStop, stop), takeList(data, dataLength), option(hasStep, step)));
}

export function method_to_string(rep: i32): usize {
  const text = String.UTF8.encode(map(rep).toString());
  keep = text;
  store<usize>(RET, changetype<usize>(text));
  store<usize>(RET, <usize>text.byteLength, 4);
  return RET;
}
