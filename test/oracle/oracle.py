"""CPython oracle: run wasm-mmap test cases against the real `mmap` module.

Usage: python3 oracle.py [case.json]   (reads stdin without an argument)

Input is one case (a JSON object) or a batch (a JSON array of cases); the output is
one result object or an array of them, one line per case.  The full format is in
FORMAT.md beside this file; in short:

  case   = {"name"?: str, "file"?: {"hex": ...} | null, "ops": [op, ...]}
  op     = {"op": "new", "map"?: n, "fileno"?: int | {"file": "r"|"w"|"rw"},
            "length"?, "flags"?, "prot"?, "access"?, "offset"?}
         | {"op": <TS method or property name>, "map"?: n, "args"?: [arg, ...]}
         | {"op": "fileWrite", "offset": n, "data": {"hex": ...}}
         | {"op": "fileTruncate", "length": n}
         | {"op": "fileRead"}
  arg    = number | string | boolean | null | [arg, ...]
         | {"hex": "..."} (bytes) | {"undef": true} (JS undefined: not given)
         | {"num": "NaN" | "Infinity" | "-Infinity"}
  result = {"name"?, "results": [r, ...], "file": {"hex": ...} | null, "error"?: str}
  r      = ({"ok": value} | {"err": [class, message]} | {"crash": "SIGBUS"} | {"nomap": true})
           + "pos": tell() of the op's map afterwards (null when closed; absent for file ops)

Operations use the TypeScript API's names (docs/spec/API.md) and are mapped onto the Python
calls, e.g. `readByte` -> read_byte(), `getSlice(a, b, c)` -> m[a:b:c],
`setSlice(a, b, data, step)` -> m[a:b:step] = data, and `seek` reports tell() as its
result (3.13 style).  Each case runs in a forked child that pipes one line per
operation back, so an operation that kills CPython (SIGBUS/SIGSEGV) is reported as
{"crash": ...} and ends only that case.
"""
import json
import mmap
import os
import resource
import signal
import sys
import tempfile

CASE_TIMEOUT_SECONDS = 20
MAX_SAFE = 2**53


class CaseError(Exception):
    """The case itself is malformed (not a CPython outcome)."""


UNDEF = object()  # JS undefined: the argument is not given


def parse_int(text):
    # JS parses every JSON number as a double; give Python the same value.
    n = int(text)
    return n if abs(n) <= MAX_SAFE else int(float(text))


def parse_float(text):
    # `1.0` and `1e21` are integers to JS, so they are to the oracle too.
    f = float(text)
    return int(f) if f.is_integer() else f


def load(text):
    return json.loads(text, parse_int=parse_int, parse_float=parse_float)


def decode(arg):
    """JSON argument -> the Python value the TS interpreter's JS value corresponds to."""
    if isinstance(arg, list):
        return [decode(a) for a in arg]
    if isinstance(arg, dict):
        if set(arg) == {"hex"} and isinstance(arg["hex"], str):
            try:
                return bytes.fromhex(arg["hex"])
            except ValueError:
                raise CaseError(f"bad hex {arg['hex']!r}") from None
        if arg == {"undef": True}:
            return UNDEF
        if set(arg) == {"num"} and arg["num"] in ("NaN", "Infinity", "-Infinity"):
            return float(arg["num"].lower().replace("infinity", "inf"))
        raise CaseError(f"unknown argument object {arg!r}")
    return arg


def encode(value):
    """Python result -> JSON."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"hex": bytes(value).hex()}
    raise CaseError(f"cannot encode result {value!r}")


# TS method -> (arity, defaults for positions that may be `undefined`).
# A default is a function of the map; REQUIRED marks a parameter without one, where
# `undefined` means "argument missing" (the Python call gets the arguments before it).
REQUIRED = None
METHODS = {
    "close": (0, []),
    "closed": (0, []),
    "length": (0, []),
    "toString": (0, []),
    "seekable": (0, []),
    "dispose": (0, []),
    "size": (0, []),
    "tell": (0, []),
    "readByte": (0, []),
    "readline": (0, []),
    "find": (3, [REQUIRED, lambda m: m.tell(), len]),
    "rfind": (3, [REQUIRED, lambda m: m.tell(), len]),
    "flush": (2, [lambda m: 0, len]),
    "madvise": (3, [REQUIRED, lambda m: 0, len]),
    "move": (3, [REQUIRED, REQUIRED, REQUIRED]),
    "read": (1, [lambda m: None]),
    "resize": (1, [REQUIRED]),
    "seek": (2, [REQUIRED, lambda m: 0]),
    "write": (1, [REQUIRED]),
    "writeByte": (1, [REQUIRED]),
    # Keys and values of m[...] have no "missing" form; undefined is None there.
    "getItem": (1, [lambda m: None]),
    "getSlice": (3, [lambda m: None] * 3),
    "setItem": (2, [lambda m: None] * 2),
    "setSlice": (4, [lambda m: None] * 4),
}


def python_args(m, name, raw):
    """Map a TS argument list onto Python's: extra arguments are dropped (JS ignores
    them), trailing undefined ones are not given, and an undefined one before a given
    one takes its default (or ends the list where the parameter is required)."""
    if not isinstance(raw, list):
        raise CaseError(f"`args` of {name} is not an array")
    arity, defaults = METHODS[name]
    args = [decode(a) for a in raw[:arity]]
    while args and args[-1] is UNDEF:
        args.pop()
    for i, a in enumerate(args):
        if a is UNDEF:
            if defaults[i] is REQUIRED or m.closed:
                return args[:i]  # CPython's closed check comes before any default
            args[i] = defaults[i](m)
    return args


def call(m, name, args):
    if name == "closed":
        return m.closed
    if name == "length":
        return len(m)
    if name == "toString":
        return repr(m)
    if name == "seekable":
        return True  # 3.13's seekable() checks nothing
    if name == "dispose":
        return m.__exit__(None, None, None)
    if name == "readByte":
        return m.read_byte(*args)
    if name == "writeByte":
        return m.write_byte(*args)
    if name == "seek":
        m.seek(*args)
        return m.tell()  # 3.13 returns the new position
    if name == "getItem":
        return m[args[0] if args else None]
    if name == "getSlice":
        args += [None] * (3 - len(args))
        return m[slice(*args)]
    if name == "setItem":
        args += [None] * (2 - len(args))
        m[args[0]] = args[1]
        return None
    if name == "setSlice":
        args += [None] * (4 - len(args))
        start, stop, data, step = args
        m[start:stop:step] = data
        return None
    return getattr(m, name)(*args)


OPEN_MODES = {"r": os.O_RDONLY, "w": os.O_WRONLY, "rw": os.O_RDWR}
NEW_FIELDS = ("fileno", "length", "flags", "prot", "access", "offset")


class Child:
    """State of one case while it runs in the forked child."""

    def __init__(self, path, out_fd):
        self.path = path
        self.out_fd = out_fd
        self.maps = {}
        self.replaced = []  # maps displaced by a later `new`: kept alive, as in JS
        self.made = {}  # slot -> whether the last `new` into it made a map
        self.writer = os.open(path, os.O_RDWR) if path else -1

    def send(self, record):
        data = (json.dumps(record) + "\n").encode()
        while data:
            data = data[os.write(self.out_fd, data):]

    def need_file(self, what):
        if self.path is None:
            raise CaseError(f"{what} needs the case's file")

    def new_map(self, op):
        kwargs = {}
        fd = -1
        for field in NEW_FIELDS:
            if field not in op:
                continue
            value = op[field]
            if field == "fileno" and isinstance(value, dict) and set(value) == {"file"}:
                self.need_file("fileno {file}")
                if value["file"] not in OPEN_MODES:
                    raise CaseError(f"unknown file mode {value['file']!r}")
                value = fd = os.open(self.path, OPEN_MODES[value["file"]])
            else:
                value = decode(value)
            if value is not UNDEF:
                kwargs[field] = value
        try:
            m = mmap.mmap(**kwargs)
        finally:
            if fd >= 0:
                os.close(fd)  # the map must keep working on its own dup()
        slot = op.get("map", 0)
        if slot in self.maps:
            self.replaced.append(self.maps[slot])
        self.maps[slot] = m
        return repr(m)

    def file_op(self, op):
        name = op["op"]
        self.need_file(name)
        if name == "fileWrite":
            os.pwrite(self.writer, decode(op["data"]), op["offset"])
            return None
        if name == "fileTruncate":
            os.ftruncate(self.writer, op["length"])
            return None
        with open(self.path, "rb") as f:
            return f.read()

    def run_op(self, op):
        if not isinstance(op, dict):
            raise CaseError(f"an op is an object, not {op!r}")
        name = op.get("op")
        if name in ("fileWrite", "fileTruncate", "fileRead"):
            try:
                return {"ok": encode(self.file_op(op))}
            except (OSError, ValueError, TypeError, OverflowError) as e:
                return {"err": [type(e).__name__, str(e)]}
        slot = op.get("map", 0)
        # An op marked ifMade runs only if the `new` just before it made a map in its slot (the
        # fuzz runner's crash-row variant sizes the map a `new` made; a failed `new` leaves the
        # slot's previous map, which it must not touch).
        if op.get("ifMade") and not self.made.get(slot, False):
            return {"ok": None, "pos": None}
        if name == "new":
            act = lambda: self.new_map(op)
        elif name in METHODS:
            m = self.maps.get(slot)
            if m is None:
                return {"nomap": True, "pos": None}
            args = python_args(m, name, op.get("args", []))
            act = lambda: call(m, name, args)
        else:
            raise CaseError(f"unknown op {name!r}")
        try:
            record = {"ok": encode(act())}
        except CaseError:
            raise
        except Exception as e:
            record = {"err": [type(e).__name__, str(e)]}
        if name == "new":
            self.made[slot] = "ok" in record
        m = self.maps.get(slot)
        record["pos"] = None if m is None or m.closed else m.tell()
        return record

    def run(self, ops):
        for op in ops:
            self.send(self.run_op(op))


def child_main(case, path, out_fd):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # crashes are expected here
    signal.alarm(CASE_TIMEOUT_SECONDS)
    child = Child(path, out_fd)
    try:
        child.run(case["ops"])
    except CaseError as e:
        child.send({"error": str(e)})
    except Exception as e:
        child.send({"error": f"oracle bug: {type(e).__name__}: {e}"})


def run_case(case):
    result = {"name": case["name"]} if "name" in case else {}
    path = None
    initial = case.get("file")
    if initial is not None:
        content = decode(initial)
        if not isinstance(content, bytes):
            raise CaseError("`file` is {\"hex\": ...} or null")
        fd, path = tempfile.mkstemp(prefix="wasm-mmap-oracle-")
        os.write(fd, content)
        os.close(fd)
    try:
        records, status = fork_and_collect(case, path)
        results = [r for r in records if "error" not in r]
        errors = [r["error"] for r in records if "error" in r]
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            crash = "timeout" if sig == signal.SIGALRM else signal.Signals(sig).name
            results.append({"crash": crash})
        elif os.WEXITSTATUS(status) != 0:
            errors.append(f"child exited with status {os.WEXITSTATUS(status)}")
        result["results"] = results
        if errors:
            result["error"] = "; ".join(errors)
        if path is None:
            result["file"] = None
        else:
            with open(path, "rb") as f:
                result["file"] = encode(f.read())
    finally:
        if path is not None:
            os.unlink(path)
    return result


def fork_and_collect(case, path):
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_fd)
            child_main(case, path, write_fd)
        except BaseException:
            code = 2
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as pipe:
        for chunk in iter(lambda: pipe.read(1 << 16), b""):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    lines = b"".join(chunks).decode().splitlines()
    return [load(line) for line in lines if line], status


def check_case(case):
    if not isinstance(case, dict) or not isinstance(case.get("ops"), list):
        raise CaseError("a case is an object with an `ops` array")


def main(argv):
    text = open(argv[1]).read() if len(argv) > 1 else sys.stdin.read()
    doc = load(text)
    cases = doc if isinstance(doc, list) else [doc]
    out = []
    for case in cases:
        try:
            check_case(case)
            out.append(json.dumps(run_case(case)))
        except CaseError as e:
            out.append(json.dumps({"results": [], "file": None, "error": str(e)}))
    if isinstance(doc, list):
        sys.stdout.write("[\n" + ",\n".join(out) + "\n]\n")
    else:
        sys.stdout.write(out[0] + "\n")


if __name__ == "__main__":
    main(sys.argv)
