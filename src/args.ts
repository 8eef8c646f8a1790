// Argument conversion, in the words of CPython's converters (docs/spec/API.md, Arguments): integers are
// safe-integer numbers; `undefined` means "not given"; `null` is Python's None where Python
// takes None. The results feed the core as numbers, NaN standing for "not given".
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import { OverflowError, ValueError } from './errors.js';

/**
 * Python's name for the type of a JS value, for messages such as "'str' object cannot …". Read
 * without running the caller's code: a getter or proxy trap on `constructor` could close the map.
 */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  switch (typeof value) {
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'function': return 'function';
    case 'symbol': return 'symbol';
    default: return Array.isArray(value) ? 'list' : className(value as object);
  }
}

/** The value a caller gave for a choice of strings, named for a message without running its code (JSON.stringify would run a getter or a proxy trap). */
export function givenChoice(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `a value of type '${pythonTypeName(value)}'`;
}

/** The name of an object's class, from data properties only; 'object' where only a getter or a trap would tell. */
function className(value: object): string {
  if (types.isProxy(value)) return 'object';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || types.isProxy(proto)) return 'object';
  const constructor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof constructor !== 'function' || types.isProxy(constructor)) return 'object';
  const name = Object.getOwnPropertyDescriptor(constructor, 'name')?.value;
  return typeof name === 'string' ? name : 'object';
}

/**
 * CPython's TypeError for a method called with too few arguments, as PyArg_ParseTuple words it
 * (`move() takes exactly 3 arguments (2 given)`): arguments count as given up to the first
 * `undefined`, which means "not given" (docs/spec/API.md, Arguments).
 */
export function arityError(method: string, takes: string, values: unknown[]): TypeError {
  const given = values.indexOf(undefined);
  return new TypeError(`${method}() takes ${takes} (${given < 0 ? values.length : given} given)`);
}

/** A required constructor argument: CPython's keyword parser names the one missing. */
export function required(value: unknown, name: string, position: number): unknown {
  if (value === undefined) throw new TypeError(`function missing required argument '${name}' (pos ${position})`);
  return value;
}

function notAnInteger(value: unknown): TypeError {
  return new TypeError(`'${pythonTypeName(value)}' object cannot be interpreted as an integer`);
}

/** A Py_ssize_t argument (`n` in PyArg_Parse). */
export function toSsize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw notAnInteger(value);
  if (!Number.isSafeInteger(value)) throw new OverflowError('Python int too large to convert to C ssize_t');
  return value;
}

/** An optional Py_ssize_t argument: NaN when not given. */
export function toOptionalSsize(value: unknown): number {
  return value === undefined ? NaN : toSsize(value);
}

/** A C `long` argument (`offset`, an off_t). */
export function toLong(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw notAnInteger(value);
  if (!Number.isSafeInteger(value)) throw new OverflowError('Python int too large to convert to C long');
  return value;
}

/** A C `int` argument (`i` in PyArg_Parse). */
export function toInt(value: unknown): number {
  const n = toLong(value);
  if (n > 0x7fffffff) throw new OverflowError('signed integer is greater than maximum');
  if (n < -0x80000000) throw new OverflowError('signed integer is less than minimum');
  return n;
}

/** An `unsigned char` argument (`b`): write_byte's. */
export function toByte(value: unknown): number {
  const n = toLong(value);
  if (n > 255) throw new OverflowError('unsigned byte integer is greater than maximum');
  if (n < 0) throw new OverflowError('unsigned byte integer is less than minimum');
  return n;
}

/** read()'s argument: an integer or None (CPython _Py_convert_optional_to_ssize_t). NaN = to the end. */
export function toOptionalCount(value: unknown): number {
  if (value === undefined || value === null) return NaN;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`argument should be integer or None, not '${pythonTypeName(value)}'`);
  }
  if (!Number.isSafeInteger(value)) throw new OverflowError("cannot fit 'int' into an index-sized integer");
  return value;
}

/** A slice bound or step: an integer or None; NaN for None (Python's slice.indices defaults). */
export function toSliceIndex(value: unknown): number {
  if (value === undefined || value === null) return NaN;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError('slice indices must be integers or None or have an __index__ method');
  }
  // Python clamps huge bounds (m[2**100:] is b''); so does the core.
  return value;
}

const utf8 = new TextEncoder();

// The engine's own accessors, taken when the module loads: a bytes-like argument is read through
// these, never through its properties, which a subclass, an own property or a proxy can make lie
// (a lying length once overflowed the scratch area into other maps).
const accessor = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
const typedArray = Object.getPrototypeOf(Uint8Array.prototype) as object;
const viewBuffer = accessor(typedArray, 'buffer');
const viewOffset = accessor(typedArray, 'byteOffset');
const viewLength = accessor(typedArray, 'byteLength');
const dataViewBuffer = accessor(DataView.prototype, 'buffer');
const dataViewOffset = accessor(DataView.prototype, 'byteOffset');
const dataViewLength = accessor(DataView.prototype, 'byteLength');
const bufferLength = accessor(ArrayBuffer.prototype, 'byteLength');
const sharedBufferLength = accessor(SharedArrayBuffer.prototype, 'byteLength');
const bufferSlice = ArrayBuffer.prototype.slice;
const apply = Reflect.apply;
const EMPTY = new Uint8Array(0);

/**
 * A bytes-like argument, as a new Uint8Array over its bytes that nobody else holds: a typed
 * array or DataView (its bytes, whatever their element type), an ArrayBuffer or
 * SharedArrayBuffer, or a string (UTF-8). A detached buffer is CPython's released memoryview.
 */
export function toBytes(value: unknown): Uint8Array {
  if (typeof value === 'string') return utf8.encode(value);
  // A plain Uint8Array with no property of its own over its length is read as it is: its
  // length is the engine's own accessor (and no view is allocated for each small write).
  if (types.isUint8Array(value) && Object.getPrototypeOf(value) === Uint8Array.prototype && !Object.hasOwn(value, 'length')
    && apply(viewLength, value, []) !== 0) {
    return value as Uint8Array;
  }
  if (types.isTypedArray(value)) {
    return bytesOf(apply(viewBuffer, value, []), apply(viewOffset, value, []), apply(viewLength, value, []));
  }
  if (types.isDataView(value)) {
    return bytesOf(apply(dataViewBuffer, value, []), apply(dataViewOffset, value, []), apply(dataViewLength, value, []));
  }
  if (types.isArrayBuffer(value)) return bytesOf(value, 0, apply(bufferLength, value, []));
  if (types.isSharedArrayBuffer(value)) return bytesOf(value, 0, apply(sharedBufferLength, value, []));
  throw new TypeError(`a bytes-like object is required, not '${pythonTypeName(value)}'`);
}

const urlHref = accessor(URL.prototype, 'href');

/**
 * MMap.open's path: a string, or a URL read through the engine's own `href` (its private
 * slot: a subclass's getter, a proxy or a fake prototype chain run no code of the caller's).
 */
export function toPath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !types.isProxy(value)) {
    let href: string | undefined;
    try {
      href = apply(urlHref, value, []) as string;
    } catch {
      // not a URL: its class has no URL slot
    }
    if (href !== undefined) return fileURLToPath(href);
  }
  throw new TypeError(`path must be a string or a file: URL, not a value of type '${pythonTypeName(value)}'`);
}

/** A view of `length` bytes at `offset` of `buffer`, all three read through the accessors above. */
function bytesOf(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array {
  // A detached buffer, and a view that a resizable buffer's shrinking left out of bounds, say 0.
  if (length === 0) {
    if (types.isArrayBuffer(buffer) && detached(buffer)) {
      throw new ValueError('operation forbidden on released memoryview object');
    }
    return EMPTY;
  }
  return new Uint8Array(buffer, offset, length);
}

/** Whether an ArrayBuffer was detached (transferred); Node 20 has no `detached` accessor. */
function detached(buffer: ArrayBuffer): boolean {
  try {
    apply(bufferSlice, buffer, [0, 0]);
    return false;
  } catch {
    return true;
  }
}

/** A bound of count()/findAll(): an integer, or `undefined`/`null` (None, as bytes.count takes it) for "not given": NaN. */
export function toOptionalIndex(value: unknown): number {
  return value === undefined || value === null ? NaN : toSsize(value);
}
