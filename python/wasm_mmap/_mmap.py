# The public class: CPython 3.11's mmap.mmap. Every method checks in CPython's order: closed,
# then its arguments (converted here, as CPython's converters do), then the rest in the core;
# a failed call changes nothing. The bytes live in a core's memory, filled and published by a
# backing (_backing.py).
import operator
import os
import sys

from . import _abi
from ._abi import (E_CLOSED, E_EFAULT, E_OS, EFAULT, EINVAL, FAULTED, FD_DEV_ZERO, FD_GIVEN, FD_READABLE, FD_REGULAR,
                   FD_VALID, FD_WRITABLE, WANT_EXTERNAL, check, core_error, open_map, os_error)
from ._backing import AnonymousBacking, CopyBacking, NativeBacking
from ._native import Base

ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, ACCESS_COPY = 0, 1, 2, 3
ACCESS_NAMES = ("ACCESS_DEFAULT", "ACCESS_READ", "ACCESS_WRITE", "ACCESS_COPY")
MAP_SHARED = 1
PROT_READ, PROT_WRITE = 1, 2

_SSIZE_MAX = sys.maxsize
_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1
_E_INDEX_RANGE = 25
_E_READONLY_CODE = 23
_BYTE = [bytes((i,)) for i in range(256)]
_MISSING = object()

# 'auto' (native: the file's pages in the memory), or what WASM_MMAP_BACKING asks for.
_BACKING = os.environ.get("WASM_MMAP_BACKING", "native")
if _BACKING not in ("native", "copy"):
    _BACKING = "native"

_S_IFMT, _S_IFREG, _S_IFCHR = 0o170000, 0o100000, 0o020000
_DEV_ZERO = 0x105  # makedev(1, 5)
_O_APPEND = 0o2000


def _closed():
    return core_error(E_CLOSED)


def _long(value):
    """A C long (PyLong_AsLong), for the 'i' and 'L' converters."""
    n = operator.index(value)
    if not -_LONG_MAX - 1 <= n <= _LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return n


def _int(value):
    """An 'i' argument."""
    n = _long(value)
    if n > _INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if n < -_INT_MAX - 1:
        raise OverflowError("signed integer is less than minimum")
    return n


def _ssize(value):
    """An 'n' argument (Py_ssize_t)."""
    n = operator.index(value)
    if not -_SSIZE_MAX - 1 <= n <= _SSIZE_MAX:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return n


def _optional_ssize(value):
    return None if value is _MISSING else _ssize(value)


def _index(value):
    """An index (PyNumber_AsSsize_t with IndexError), for m[i]."""
    n = operator.index(value)
    if not -_SSIZE_MAX - 1 <= n <= _SSIZE_MAX:
        raise IndexError("cannot fit 'int' into an index-sized integer")
    return n


def _slice_index(value):
    """_PyEval_SliceIndex: None stays None (the core's default); huge values clamp."""
    if value is None:
        return None
    if not hasattr(type(value), "__index__"):
        raise TypeError("slice indices must be integers or None or have an __index__ method")
    return max(-_SSIZE_MAX - 1, min(_SSIZE_MAX, operator.index(value)))


def _slice(key):
    """PySlice_Unpack's order: the step first (and its zero check), then the bounds."""
    step = _slice_index(key.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step is not None and step < -_SSIZE_MAX:
        step = -_SSIZE_MAX
    return _slice_index(key.start), _slice_index(key.stop), step


def _arity(name, takes, *args):
    """PyArg_ParseTuple's TypeError for missing arguments, after the closed check as in CPython."""
    if _MISSING in args:
        given = args.index(_MISSING)
        raise TypeError(f"{name}() takes {takes} ({given} given)")


def _has_index(value):
    return hasattr(type(value), "__index__")


def _fd_facts(fd):
    """What map_new needs to know of an fd (fstat and the access mode, asked once), and whether it appends."""
    if fd == -1:
        return 0, 0, False
    try:
        size, mode, rdev, flags = _abi._native.fstat(fd)
    except OSError as error:
        if error.errno == _abi._errno.EBADF:
            return FD_GIVEN, 0, False  # the core reports EBADF in CPython's place
        raise
    kind = mode & _S_IFMT
    access = flags & os.O_ACCMODE
    bits = (FD_GIVEN | FD_VALID | (FD_REGULAR if kind == _S_IFREG else 0)
            | (FD_DEV_ZERO if kind == _S_IFCHR and rdev == _DEV_ZERO else 0)
            | (FD_READABLE if access in (os.O_RDONLY, os.O_RDWR) else 0)
            | (FD_WRITABLE if access in (os.O_WRONLY, os.O_RDWR) else 0))
    return bits, size, bool(flags & _O_APPEND)


def _duplicate(fd, bits, append, writes_with_fd):
    """The map's own duplicate of fd. A map that writes through it (the copy backing's pwrite)
    must not share O_APPEND, under which Linux's pwrite appends: a reopen through /proc then."""
    if not (writes_with_fd and append):
        return _abi._native.dup(fd)
    readable, writable = bits & FD_READABLE, bits & FD_WRITABLE
    mode = os.O_RDWR if readable and writable else os.O_WRONLY if writable else os.O_RDONLY
    return os.open(f"/proc/self/fd/{fd}", mode | os.O_CLOEXEC)


def _release(self):
    """Releases a map: close(), and last the finalizer."""
    b = self._b
    if b is None:
        return
    self._b = None
    zeroed = False
    try:
        zeroed = b.detach()
    finally:
        # A native map whose pages could not be replaced keeps its region (leaked): reusing it
        # would put the file under another map.
        if zeroed or b.name != "native":
            b.core.map_close(b.handle, 1 if zeroed else 0)


class mmap(Base):
    """Windows: mmap(fileno, length[, tagname[, access[, offset]]])

Maps length bytes from the file specified by the file handle fileno,
and returns a mmap object.  If length is larger than the current size
of the file, the file is extended to contain length bytes.  If length
is 0, the maximum length of the map is the current size of the file,
except that if the file is empty Windows raises an exception (you cannot
create an empty mapping on Windows).

Unix: mmap(fileno, length[, flags[, prot[, access[, offset]]]])

Maps length bytes from the file specified by the file descriptor fileno,
and returns a mmap object.  If length is 0, the maximum length of the map
will be the current size of the file when mmap is called.
flags specifies the nature of the mapping. MAP_PRIVATE creates a
private copy-on-write mapping, so changes to the contents of the mmap
object will be private to this process, and MAP_SHARED creates a mapping
that's shared with all other processes mapping the same areas of the file.
The default value is MAP_SHARED.

To map anonymous memory, pass -1 as the fileno (both versions)."""

    def __new__(cls, fileno, length, flags=MAP_SHARED, prot=PROT_WRITE | PROT_READ,
                access=ACCESS_DEFAULT, offset=0):
        # Left to right, as CPython's keyword parser converts them ("in|iiiL").
        fd = _int(fileno)
        size = _ssize(length)
        flags = _int(flags)
        prot = _int(prot)
        access = _int(access)
        offset = _long(offset)
        self = super().__new__(cls)
        self._b = None
        bits, file_size, append = _fd_facts(fd)
        want = WANT_EXTERNAL if _BACKING == "native" else 0
        with _abi.LOCK:
            made = open_map(size, offset, flags, prot, access, file_size, bits | want)
            core, handle = made.core, made.handle
            own = -1
            try:
                # CPython dup()s before mmap(2) checks anything; a failure here (EMFILE) comes after them.
                if fd != -1:
                    own = _duplicate(fd, bits, append, made.file and not made.external)
                kind = NativeBacking if made.external else CopyBacking if made.file else AnonymousBacking
                b = kind(core, handle, own, offset, made.shared, made.writable, made.fd_writable, made.populate)
                b.attach(made.length)
            except BaseException:
                core.map_close(handle, 0)
                if own != -1:
                    os.close(own)
                raise
        self._b = b
        self._x = core
        self._h = handle
        self._offset = offset
        self._core, self._data, self._length, self._access = core.n, core.map_data, core.map_length, core.map_access
        return self

    def __del__(self):
        if getattr(self, "_b", None) is not None:
            try:
                with _abi.LOCK:
                    _release(self)
            except Exception:
                pass  # nobody can be told at collection time; close() reports the same failure

    def _settle(self, r, export, args, moves_pos, ask_again=True):
        """The slow path of a call: an error code, or a touch past the file's end. On a native
        map whose file grew back an EFAULT is tried once more with the pages mapped again. A
        touch the SIGBUS handler absorbed is undone (the cursor, if the call moved it), and the
        core, told where the file ends now, is asked once more: a forward search or readline
        that ends before the lost pages answers, as CPython's does (the first run's blocks may
        have read past the match); anything else reaching them is EFAULT. `ask_again`: False
        for a call whose second run could differ from its first (move)."""
        b = self._b
        if b is None:
            return check(r)
        with _abi.LOCK:
            if r == FAULTED and not self._core.fault_pending():
                r = export(*args)  # another call's fault, handled by now: this call is clean
            if r == -E_EFAULT and b.refresh():
                r = export(*args)
            if r == FAULTED:
                b.absorb_fault(moves_pos)
                if not ask_again:
                    raise os_error(EFAULT)
                r = export(*args)
                if r == FAULTED:
                    b.absorb_fault(moves_pos)
                    raise os_error(EFAULT)
        return r if r.__class__ is bytes else check(r)

    def _open(self):
        b = self._b
        if b is None:
            raise _closed()
        return b

    @property
    def closed(self):
        return self._b is None

    def close(self):
        if self._exports > 0:
            raise BufferError("cannot close exported pointers exist")
        with _abi.LOCK:
            _release(self)

    def __enter__(self):
        self._open()
        return self

    def __exit__(self, *args):
        self.close()

    def __len__(self):
        return check(self._x.map_length(self._h))

    def size(self):
        b = self._open()
        return os.fstat(b.fd).st_size  # -1 for an anonymous map: EBADF, as CPython 3.11

    def tell(self):
        return check(self._x.tell(self._h))

    def find(self, sub=_MISSING, start=_MISSING, end=_MISSING, /):
        return self._find(sub, start, end, 0)

    def rfind(self, sub=_MISSING, start=_MISSING, end=_MISSING, /):
        return self._find(sub, start, end, 1)

    def _find(self, sub, start, end, reverse):
        self._open()
        _arity("rfind" if reverse else "find", "at least 1 argument", sub)
        args = (self._h, sub, _optional_ssize(start), _optional_ssize(end), reverse)
        r = self._x.find(*args)
        return r if r >= -1 else self._settle(r, self._x.find, args, False)

    def flush(self, offset=_MISSING, size=_MISSING, /):
        b = self._open()
        off, n = _optional_ssize(offset), _optional_ssize(size)
        x = self._x
        with _abi.LOCK:
            if check(x.flush(self._h, off, n)) == 1:
                b.publish(x.out(0), x.out(1))

    def madvise(self, option=_MISSING, start=_MISSING, length=_MISSING, /):
        b = self._open()
        _arity("madvise", "at least 1 argument", option)
        advice, s, n = _int(option), _optional_ssize(start), _optional_ssize(length)
        x = self._x
        args = (self._h, advice, s, n)
        with _abi.LOCK:
            effect = x.madvise(*args)
            if effect < 0:
                # EFAULT for pages a file lost: the file may have grown back over them.
                effect = self._settle(effect, x.madvise, args, False)
            b.advise(advice, x.out(0), x.out(1), effect)

    def move(self, dest=_MISSING, src=_MISSING, count=_MISSING, /):
        self._open()
        _arity("move", "exactly 3 arguments", dest, src, count)
        args = (self._h, _ssize(dest), _ssize(src), _ssize(count))
        r = self._x.move(*args)
        if r < 0:
            self._settle(r, self._x.move, args, False, ask_again=False)

    def read(self, n=None, /):
        self._open()
        if n is None:
            want = None
        elif _has_index(n):
            want = operator.index(n)
            if not -_SSIZE_MAX - 1 <= want <= _SSIZE_MAX:
                raise OverflowError("cannot fit 'int' into an index-sized integer")
        else:
            raise TypeError(f"argument should be integer or None, not '{type(n).__name__}'")
        r = self._x.read(self._h, want)
        return r if r.__class__ is bytes else self._settle(r, self._x.read, (self._h, want), True)

    def read_byte(self):
        r = self._x.read_byte(self._h)
        return r if r >= 0 else self._settle(r, self._x.read_byte, (self._h,), True)

    def readline(self):
        r = self._x.readline(self._h)
        return r if r.__class__ is bytes else self._settle(r, self._x.readline, (self._h,), True)

    def resize(self, newsize=_MISSING, /):
        b = self._open()
        _arity("resize", "exactly 1 argument", newsize)
        n = _ssize(newsize)
        if self._exports > 0:
            raise BufferError("mmap can't resize with extant buffers exported.")
        x = self._x
        with _abi.LOCK:
            r = x.resize_prepare(self._h, n)
            if r == -(E_OS + EINVAL) and n == 0:
                b.resize_to_zero()
            check(r)
            b.resize(n, x.out(0))

    def seek(self, pos=_MISSING, whence=0, /):
        self._open()
        _arity("seek", "at least 1 argument", pos)
        check(self._x.seek(self._h, _ssize(pos), _int(whence)))

    def write(self, data=_MISSING, /):
        self._open()
        _arity("write", "exactly 1 argument", data)
        r = self._x.write(self._h, data)
        if r < 0:
            r = self._settle(r, self._x.write, (self._h, data), True)
        return r

    def write_byte(self, byte=_MISSING, /):
        self._open()
        _arity("write_byte", "exactly 1 argument", byte)
        value = _long(byte)
        if value > 255:
            raise OverflowError("unsigned byte integer is greater than maximum")
        if value < 0:
            raise OverflowError("unsigned byte integer is less than minimum")
        r = self._x.write_byte(self._h, value)
        if r < 0:
            self._settle(r, self._x.write_byte, (self._h, value), True)

    def __getitem__(self, key):
        self._open()
        x = self._x
        if key.__class__ is slice:
            args = (self._h, *_slice(key))
            r = x.get_slice(*args)
            return r if r.__class__ is bytes else self._settle(r, x.get_slice, args, False)
        if not _has_index(key):
            raise TypeError("mmap indices must be integers")
        args = (self._h, _index(key))
        r = x.get_item(*args)
        return r if r >= 0 else self._settle(r, x.get_item, args, False)

    def __setitem__(self, key, value):
        self._open()
        x = self._x
        check(x.map_writable(self._h))
        if key.__class__ is slice:
            args = (self._h, *_slice(key), value)
            r = x.set_slice(*args)
            if r < 0:
                self._settle(r, x.set_slice, args, False)
            return
        if not _has_index(key):
            raise TypeError("mmap indices must be integer")
        i = _index(key)
        if not _has_index(value):
            v = float("nan")  # the core: "mmap item value must be an int", after the index's range
        else:
            v = operator.index(value)
            if not -_SSIZE_MAX - 1 <= v <= _SSIZE_MAX:
                v = float("inf")  # the core: "cannot fit 'int' into an index-sized integer"
        r = x.set_item(self._h, i, v)
        if r < 0:
            self._settle(r, x.set_item, (self._h, i, v), False)

    def __delitem__(self, key):
        self._open()
        x = self._x
        check(x.map_writable(self._h))
        if key.__class__ is slice:
            _slice(key)
            raise TypeError("mmap object doesn't support slice deletion")
        if not _has_index(key):
            raise TypeError("mmap indices must be integer")
        check(x.get_item(self._h, _index(key)))
        raise TypeError("mmap doesn't support item deletion")

    def __iter__(self):
        # CPython's mmap has no __iter__: iteration is its sq_item, one-byte bytes to the end.
        i = 0
        while True:
            r = self._x.get_item(self._h, i)
            if r == -_E_INDEX_RANGE:
                return
            if r < 0:
                r = self._settle(r, self._x.get_item, (self._h, i), False)
            yield _BYTE[r]
            i += 1

    def __repr__(self):
        name = "mmap.mmap" if type(self) is mmap else type(self).__name__
        if self._b is None:
            return f"<{name} closed=True>"
        x, h = self._x, self._h
        return (f"<{name} closed=False, access={ACCESS_NAMES[x.map_access(h)]}, "
                f"length={x.map_length(h)}, pos={x.tell(h)}, offset={self._offset}>")

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__name__}' object")
