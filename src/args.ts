// Argument conversion, in the words of CPython's converters (API.md, Arguments): integers are
// safe-integer numbers; `undefined` means "not given"; `null` is Python's None where Python
// takes None. The results feed the core as numbers, NaN standing for "not given".
import { OverflowError } from './errors.js';

/** Python's name for the type of a JS value, for messages such as "'str' object cannot …". */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  switch (typeof value) {
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'function': return 'function';
    case 'symbol': return 'symbol';
    default: {
      if (Array.isArray(value)) return 'list';
      return (value as object).constructor?.name ?? 'object';
    }
  }
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

// The engine's own getters of a view's bytes, taken once: a subclass, or a property defined on
// the object itself, can report another length than the view has, and the core would trust it.
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (proto: object, name: PropertyKey) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
const typedArrayTag = getter(typedArray, Symbol.toStringTag);
const typedArrayGet = [getter(typedArray, 'buffer'), getter(typedArray, 'byteOffset'), getter(typedArray, 'byteLength')];
const dataViewGet = [getter(DataView.prototype, 'buffer'), getter(DataView.prototype, 'byteOffset'),
  getter(DataView.prototype, 'byteLength')];

/** A bytes-like argument: a Uint8Array, any other ArrayBufferView, an ArrayBuffer, or a string (UTF-8). */
export function toBytes(value: unknown): Uint8Array {
  if (ArrayBuffer.isView(value)) {
    // A plain Uint8Array's length is the engine's; any other view is read through its getters.
    if (Object.getPrototypeOf(value) === Uint8Array.prototype && !Object.hasOwn(value, 'length')) return value as Uint8Array;
    const [buffer, offset, length] = Reflect.apply(typedArrayTag, value, []) === undefined ? dataViewGet : typedArrayGet;
    return new Uint8Array(Reflect.apply(buffer, value, []), Reflect.apply(offset, value, []), Reflect.apply(length, value, []));
  }
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  if (typeof value === 'string') return utf8.encode(value);
  throw new TypeError(`a bytes-like object is required, not '${pythonTypeName(value)}'`);
}
