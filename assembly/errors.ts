// Error codes of the core. Every export returns a number; a failure is the negated code (so
// every code is at least 2: -1 stays free for find's "not found"). The host maps each code,
// once, to its Python class and CPython 3.11's verbatim message (src/abi.ts).
// Codes from E_OS are OS errors: E_OS + errno, raised by the host as OSError.

export const E_CLOSED: i32 = 2;             // ValueError: mmap closed or invalid
export const E_READ_BYTE_RANGE: i32 = 3;    // ValueError: read byte out of range
export const E_WRITE_BYTE_RANGE: i32 = 4;   // ValueError: write byte out of range
export const E_DATA_RANGE: i32 = 5;         // ValueError: data out of range
export const E_SEEK_RANGE: i32 = 6;         // ValueError: seek out of range
export const E_SEEK_TYPE: i32 = 7;          // ValueError: unknown seek type
export const E_MOVE_RANGE: i32 = 8;         // ValueError: source, destination, or count out of range
export const E_FLUSH_RANGE: i32 = 9;        // ValueError: flush values out of range
export const E_NEWSIZE_RANGE: i32 = 10;     // ValueError: new size out of range
export const E_MADVISE_START: i32 = 11;     // ValueError: madvise start out of bounds
export const E_MADVISE_LENGTH: i32 = 12;    // ValueError: madvise length invalid
export const E_MADVISE_OVERFLOW: i32 = 13;  // OverflowError: madvise length too large
export const E_ITEM_VALUE_RANGE: i32 = 14;  // ValueError: mmap item value must be in range(0, 256)
export const E_STEP_ZERO: i32 = 15;         // ValueError: slice step cannot be zero
export const E_ACCESS_AND_FLAGS: i32 = 16;  // ValueError: mmap can't specify both access and flags, prot.
export const E_ACCESS_INVALID: i32 = 17;    // ValueError: mmap invalid access parameter.
export const E_EMPTY_FILE: i32 = 18;        // ValueError: cannot mmap an empty file
export const E_OFFSET_PAST_FILE: i32 = 19;  // ValueError: mmap offset is greater than file size
export const E_LENGTH_PAST_FILE: i32 = 20;  // ValueError: mmap length is greater than file size
export const E_LENGTH_NEGATIVE: i32 = 21;   // OverflowError: memory mapped length must be positive
export const E_OFFSET_NEGATIVE: i32 = 22;   // OverflowError: memory mapped offset must be positive
export const E_READONLY: i32 = 23;          // TypeError: mmap can't modify a readonly memory map.
export const E_NOT_RESIZEABLE: i32 = 24;    // TypeError: mmap can't resize a readonly or copy-on-write memory map.
export const E_INDEX_RANGE: i32 = 25;       // IndexError: mmap index out of range
export const E_SLICE_SIZE: i32 = 26;        // IndexError: mmap slice assignment is wrong size
export const E_ITEM_VALUE_TYPE: i32 = 27;   // TypeError: mmap item value must be an int
export const E_ITEM_VALUE_FIT: i32 = 28;    // TypeError: cannot fit 'int' into an index-sized integer
export const E_BAD_BUFFER: i32 = 29;        // the host's input is not what it asked scratch() for (a host bug)

export const E_OS: i32 = 1000;
export const E_EBADF: i32 = E_OS + 9;
export const E_ENOMEM: i32 = E_OS + 12;
export const E_EFAULT: i32 = E_OS + 14;     // touching bytes CPython would die on (PROT_NONE, past the file's end)
export const E_EINVAL: i32 = E_OS + 22;

/** Replaces AssemblyScript's `env.abort` import, so that the core imports nothing: an abort is an invariant broken, a bug. */
export function abort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}
