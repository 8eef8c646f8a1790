# A Hypothesis stateful test: wasm_mmap.mmap and CPython's mmap.mmap driven side by side in
# one process, on anonymous and file maps, on both backings; every answer (result or exception
# class and message), every cursor and, after flush, the files must agree. `npm test` runs a
# short derandomized batch; a long run: HYPOTHESIS_EXAMPLES=5000 python test_stateful.py.
import mmap
import os
import tempfile
import unittest

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import wasm_mmap
from wasm_mmap import _mmap

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))
COUNTS = {"examples": 0, "operations": 0}

offsets = st.integers(min_value=-40, max_value=300) | st.sampled_from([None])
sizes = st.integers(min_value=-5, max_value=300)
data = st.binary(max_size=40)
needles = st.binary(min_size=0, max_size=4) | st.sampled_from([b"ab", b"\n", b"xyz"])


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def answer(call):
    try:
        value = call()
    except Exception as error:  # the answer is the class and message
        return ("raise", type(error).__name__, str(error))
    return ("ok", value)


class SideBySide(RuleBasedStateMachine):
    @initialize(backing=st.sampled_from(["native", "copy"]), on_file=st.booleans(),
                content=st.binary(min_size=1, max_size=300), private=st.booleans(),
                access=st.sampled_from([0, 1, 2, 3]))
    def open(self, backing, on_file, content, private, access):
        COUNTS["examples"] += 1
        _mmap._BACKING = backing
        self.paths = []
        self.maps = []
        for module in (mmap, wasm_mmap):
            if on_file:
                fd, path = tempfile.mkstemp(prefix="wasm-mmap-hyp-")
                os.write(fd, content + b"\nab" * 3)
                self.paths.append(path)
                kwargs = {"access": access} if access else {"flags": module.MAP_PRIVATE if private else module.MAP_SHARED}
                self.maps.append(module.mmap(fd, 0, **kwargs))
                os.close(fd)
            else:
                self.maps.append(module.mmap(-1, len(content), flags=module.MAP_PRIVATE if private else module.MAP_SHARED))
                self.maps[-1].write(content)
                self.maps[-1].seek(0)

    def both(self, call):
        COUNTS["operations"] += 1
        py, ours = (answer(lambda: call(m)) for m in self.maps)
        assert py == ours, (py, ours)

    @invariant()
    def same_state(self):
        if getattr(self, "maps", None):
            py, ours = self.maps
            assert py.closed == ours.closed
            if not py.closed:
                assert (py.tell(), len(py), py[:]) == (ours.tell(), len(ours), ours[:])
                assert repr(py) == repr(ours)

    @rule(n=st.integers(min_value=-2, max_value=60) | st.none())
    def read(self, n):
        self.both(lambda m: m.read(n))

    @rule()
    def read_byte(self):
        self.both(lambda m: m.read_byte())

    @rule()
    def readline(self):
        self.both(lambda m: m.readline())

    @rule(b=data)
    def write(self, b):
        self.both(lambda m: m.write(b))

    @rule(v=st.integers(min_value=-1, max_value=256))
    def write_byte(self, v):
        self.both(lambda m: m.write_byte(v))

    @rule(pos=st.integers(min_value=-320, max_value=320), whence=st.integers(min_value=0, max_value=3))
    def seek(self, pos, whence):
        self.both(lambda m: m.seek(pos, whence))

    @rule(sub=needles, start=offsets, end=offsets, reverse=st.booleans())
    def find(self, sub, start, end, reverse):
        args = [a for a in (start, end) if a is not None] if start is not None else []
        self.both(lambda m: (m.rfind if reverse else m.find)(sub, *args))

    @rule(i=st.integers(min_value=-310, max_value=310))
    def get_item(self, i):
        self.both(lambda m: m[i])

    @rule(i=st.integers(min_value=-310, max_value=310), v=st.integers(min_value=-1, max_value=256))
    def set_item(self, i, v):
        def act(m):
            m[i] = v
        self.both(act)

    @rule(start=offsets, stop=offsets, step=st.sampled_from([None, 1, 2, 3, -1, -2, 0]))
    def get_slice(self, start, stop, step):
        self.both(lambda m: m[start:stop:step])

    @rule(start=offsets, stop=offsets, step=st.sampled_from([None, 1, 2, -1, -3]), fill=st.integers(0, 255))
    def set_slice(self, start, stop, step, fill):
        def act(m):
            n = len(range(*slice(start, stop, step).indices(len(m))))
            m[start:stop:step] = bytes([fill]) * n
        self.both(act)

    @rule(dest=sizes, src=sizes, count=st.integers(min_value=-1, max_value=100))
    def move(self, dest, src, count):
        self.both(lambda m: m.move(dest, src, count))

    @rule(size=st.integers(min_value=0, max_value=400))
    def resize(self, size):
        # resize(0) of a file map truncates the file and then fails (mremap's EINVAL): CPython's
        # map then lies past the file's end and the next touch kills the process (SIGBUS).
        if self.paths and size == 0:
            size = 1
        self.both(lambda m: m.resize(size))

    @rule()
    def flush(self):
        self.both(lambda m: m.flush())
        if self.paths and not self.maps[0].closed:
            files = [file_bytes(p) for p in self.paths]
            assert files[0] == files[1]

    @rule(option=st.sampled_from([0, 1, 2, 3]), start=st.sampled_from([0, 4096, 1, -1]))
    def madvise(self, option, start):
        self.both(lambda m: m.madvise(option, start))

    @precondition(lambda self: not self.maps[0].closed)
    @rule()
    def close(self):
        self.both(lambda m: m.close())
        if self.paths:
            files = [file_bytes(p) for p in self.paths]
            assert files[0] == files[1]

    def teardown(self):
        for m in getattr(self, "maps", []):
            m.close()
        for p in getattr(self, "paths", []):
            os.unlink(p)


SideBySide.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=30, deadline=None, derandomize=EXAMPLES <= 100,
    suppress_health_check=list(HealthCheck), database=None)
TestSideBySide = SideBySide.TestCase

if __name__ == "__main__":
    try:
        unittest.main(exit=False)
    finally:
        print(f"hypothesis: {COUNTS['examples']} examples, {COUNTS['operations']} operations")
