# The ABI layer (docs/ABI.md): loads the core into Wasmtime, binds its exports to the C calls of
# _native, and turns the core's error codes into Python's exceptions. Nothing else in the
# package touches the core's exports by name but through a Core.
import ctypes
import errno as _errno
import os
import threading
from pathlib import Path

import wasmtime
from wasmtime import _ffi as ffi

from . import _native

# Error codes of assembly/errors.ts, each with its class and CPython 3.11's message
# (test/python/test_host.py checks this table against that file's comments).
ERRORS = {
    2: (ValueError, "mmap closed or invalid"),
    3: (ValueError, "read byte out of range"),
    4: (ValueError, "write byte out of range"),
    5: (ValueError, "data out of range"),
    6: (ValueError, "seek out of range"),
    7: (ValueError, "unknown seek type"),
    8: (ValueError, "source, destination, or count out of range"),
    9: (ValueError, "flush values out of range"),
    10: (ValueError, "new size out of range"),
    11: (ValueError, "madvise start out of bounds"),
    12: (ValueError, "madvise length invalid"),
    13: (OverflowError, "madvise length too large"),
    14: (ValueError, "mmap item value must be in range(0, 256)"),
    15: (ValueError, "slice step cannot be zero"),
    16: (ValueError, "mmap can't specify both access and flags, prot."),
    17: (ValueError, "mmap invalid access parameter."),
    18: (ValueError, "cannot mmap an empty file"),
    19: (ValueError, "mmap offset is greater than file size"),
    20: (ValueError, "mmap length is greater than file size"),
    21: (OverflowError, "memory mapped length must be positive"),
    22: (OverflowError, "memory mapped offset must be positive"),
    23: (TypeError, "mmap can't modify a readonly memory map."),
    24: (TypeError, "mmap can't resize a readonly or copy-on-write memory map."),
    25: (IndexError, "mmap index out of range"),
    26: (IndexError, "mmap slice assignment is wrong size"),
    27: (TypeError, "mmap item value must be an int"),
    28: (TypeError, "cannot fit 'int' into an index-sized integer"),
    29: (SystemError, "wasm-mmap: the host passed input outside the scratch area (a bug)"),
}
E_CLOSED = 2
E_STEP_ZERO = 15
E_OS = 1000
EFAULT = _errno.EFAULT
EINVAL = _errno.EINVAL
ENOMEM = _errno.ENOMEM
E_EFAULT = E_OS + EFAULT
E_ENOMEM = E_OS + ENOMEM
# A call during which the SIGBUS handler absorbed a fault (_native.c).
FAULTED = _native.FAULTED

# map_new's facts and decision bits (docs/ABI.md).
FD_GIVEN, FD_VALID, FD_REGULAR, FD_DEV_ZERO, FD_READABLE, FD_WRITABLE, WANT_EXTERNAL = 1, 2, 4, 8, 16, 32, 64
DECIDED_SHARED, DECIDED_FILE, DECIDED_EXTERNAL, DECIDED_FD_WRITABLE = 1, 2, 4, 8
DECIDED_WRITABLE, DECIDED_POPULATE = 32, 64
# madvise results.
ADVICE_ZEROED, ADVICE_RELOAD = 1, 2


def os_error(number):
    """OSError(errno, strerror), which Python turns into its subclass (PermissionError…), as PyErr_SetFromErrno."""
    return OSError(number, os.strerror(number))


def core_error(code):
    """The exception for a core error code (a positive code: the negated result)."""
    if code >= E_OS:
        return os_error(code - E_OS)
    known = ERRORS.get(code)
    if known is None:
        return SystemError(f"wasm-mmap: unknown core error {code} (a bug)")
    return known[0](known[1])


def check(result):
    """The result, or the exception for an error code (any negative value but -1)."""
    if result < -1:
        raise core_error(-result)
    return result


def _address(function):
    return ctypes.cast(function, ctypes.c_void_p).value


_native.setup(_address(ffi.dll.wasmtime_func_call_unchecked), _address(ffi.dll.wasm_trap_delete),
              _address(ffi.dll.wasmtime_error_delete))


def _engine():
    config = wasmtime.Config()
    # The base never moves, so file pages mapped into the memory stay under the core's feet,
    # and buffers given out stay valid.
    config.memory_may_move = False
    # No compiler threads: a process forked after import (multiprocessing's default) would
    # have none of them.
    config.parallel_compilation = False
    return wasmtime.Engine(config)


ENGINE = _engine()
MODULE = wasmtime.Module.from_file(ENGINE, str(Path(__file__).with_name("core.wasm")))

_KINDS = {"i32": "i", "f64": "d"}
# Exports that take input bytes: the Python call passes a bytes-like object where the wasm
# function takes (scratch address, length), staged in the same C call (_native.c).
_STAGED = {"write": "iBL", "find": "iBLddi", "set_slice": "idddBL"}
# Exports that answer a count of bytes at OUT[0]: the Python call gets those bytes (or an int, an error).
_COPY_OUT = {"read", "readline", "get_slice"}


class Core:
    """One instance of the core: one store, one memory of up to 4 GiB, up to 65,536 maps.
    Every export is an attribute (a _native.Export); `n` is the memory's C side."""

    def __init__(self):
        self.store = wasmtime.Store(ENGINE)
        instance = wasmtime.Instance(self.store, MODULE, [])
        exports = instance.exports(self.store)
        memory = exports["memory"]
        self.base = ctypes.cast(memory.data_ptr(self.store), ctypes.c_void_p).value
        context = ctypes.cast(self.store._context(), ctypes.c_void_p).value
        self.n = _native.Core(context, self.base, exports["out"].value(self.store))
        for name, item in exports.items():
            if not isinstance(item, wasmtime.Func):
                continue
            ty = item.type(self.store)
            params = "".join(_KINDS[str(p)] for p in ty.params)
            result = _KINDS[str(ty.results[0])] if ty.results else "v"
            if name in _STAGED:
                if _STAGED[name].replace("B", "i").replace("L", "d") != params:
                    raise ImportError(f"wasm_mmap: core.wasm's {name} is not as docs/ABI.md says")
                params = _STAGED[name]
            if name in _COPY_OUT:
                result = "O"
            raw = item._func
            private = ctypes.cast(getattr(raw, "__private"), ctypes.c_void_p).value or 0
            setattr(self, name, self.n.export(raw.store_id, private, params, result, name))
        # Big regions start 2 MiB-aligned in the address space (docs/ABI.md).
        self.set_address_bias(self.base % (1 << 30))
        # Faults in any of this memory's 4 GiB are absorbed and recorded from now on.
        self.n.watch()
        self.out = self.n.out



_cores = []

# Held by every step of more than one core call (constructor, close, resize, flush, madvise, a
# fault's undo), so that no other thread's call comes between and rewrites the out record.
# Single calls need no lock: each is one C call, under the GIL.
LOCK = threading.RLock()


def _after_fork():
    # In a forked child a lock some other thread of the parent held would stay held.
    global LOCK
    LOCK = threading.RLock()


os.register_at_fork(after_in_child=_after_fork)


class NewMap:
    """What map_new decided of a new map."""
    __slots__ = ("core", "handle", "length", "file", "shared", "external", "fd_writable", "writable", "populate")

    def __init__(self, core, handle):
        self.core = core
        self.handle = handle
        self.length = core.out(0)
        decided = core.out(1)
        self.file = bool(decided & DECIDED_FILE)
        self.shared = bool(decided & DECIDED_SHARED)
        self.external = bool(decided & DECIDED_EXTERNAL)
        self.fd_writable = bool(decided & DECIDED_FD_WRITABLE)
        self.writable = bool(decided & DECIDED_WRITABLE)
        self.populate = bool(decided & DECIDED_POPULATE)


def open_map(length, offset, flags, prot, access, file_size, facts):
    """One map_new call (every check of CPython's constructor and of mmap(2), in their order) in a
    core with room, adding a core when every one is full."""
    handle = -E_ENOMEM
    core = None
    for core in reversed(_cores):
        handle = core.map_new(length, offset, flags, prot, access, file_size, facts)
        if handle != -E_ENOMEM:
            break
    if handle == -E_ENOMEM:
        # A core with no map that has no room either: the map is larger than any core can hold.
        if any(c.open_count() == 0 for c in _cores):
            raise core_error(E_ENOMEM)
        core = Core()
        _cores.append(core)
        handle = core.map_new(length, offset, flags, prot, access, file_size, facts)
    check(handle)
    return NewMap(core, handle)
