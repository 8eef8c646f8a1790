"""CPython's side of wasm-mmap's benchmark: the same operations on the same files with the
standard library's mmap. Reads a JSON request on stdin (written by bench/cpython.ts) and prints
JSON: the seconds of each timed run, after untimed warm-up runs, as the Node side does.

Loops cache bound methods (``read_byte = m.read_byte``), as a Python programmer tuning a hot
loop would, so CPython is measured at its best.
"""
import json
import mmap
import sys
import time
from array import array


def timed(plan, run, expect=None):
    """Seconds of each of plan['reps'] runs after plan['warmup'] untimed ones; checks each result."""
    def check(value):
        if expect is not None and value != expect:
            raise SystemExit(f"benchmark run returned {value!r}, expected {expect!r}")
    for _ in range(plan["warmup"]):
        check(run())
    seconds = []
    for _ in range(plan["reps"]):
        start = time.perf_counter_ns()
        value = run()
        seconds.append((time.perf_counter_ns() - start) / 1e9)
        check(value)
    return seconds


def map_file(path, length=0):
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), length, access=mmap.ACCESS_READ)


def read_positions(path):
    with open(path, "rb") as f:
        values = array("I")
        values.frombytes(f.read())
    if sys.byteorder != "little":
        values.byteswap()
    return values


def time_open_close(plan, path, count):
    """Times runs of `count` open + close pairs of the whole file at `path`."""
    with open(path, "rb") as f:
        fd = f.fileno()
        def run():
            for _ in range(count):
                mmap.mmap(fd, 0, access=mmap.ACCESS_READ).close()
            return count
        return timed(plan, run, count)


def main_table(spec):
    plans = spec["plans"]
    needle1 = spec["needle1"].encode("latin-1")
    needle8 = spec["needle8"].encode("latin-1")
    out = {}
    m = map_file(spec["text"])
    try:
        out["find1"] = timed(plans["find1"], lambda: m.find(needle1, 0), -1)
        out["find8"] = timed(plans["find8"], lambda: m.find(needle8, 0), -1)
        out["rfind8"] = timed(plans["rfind8"], lambda: m.rfind(needle8, 0), -1)

        def readline_loop():
            m.seek(0)
            readline = m.readline
            lines = 0
            while readline():
                lines += 1
            return lines
        out["readline"] = timed(plans["readline"], readline_loop, spec["lines"])

        count = spec["readByteCount"]
        def read_byte_loop():
            m.seek(0)
            read_byte = m.read_byte
            total = 0
            for _ in range(count):
                total += read_byte()
            return total
        out["readByte"] = timed(plans["readByte"], read_byte_loop, spec["readByteSum"])

        at64 = read_positions(spec["read64Positions"])
        def read64_loop():
            seek, read = m.seek, m.read
            total = 0
            for p in at64:
                seek(p)
                total += len(read(64))
            return total
        out["read64"] = timed(plans["read64"], read64_loop, len(at64) * 64)

        at4k = read_positions(spec["slicePositions"])
        def slice_loop():
            total = 0
            for p in at4k:
                total += len(m[p:p + 4096])
            return total
        out["slice4k"] = timed(plans["slice4k"], slice_loop, len(at4k) * 4096)

        # What count(), findAll() and lines() replace: a find loop, and iter(m.readline, b'').
        dense = spec["needleDense"].encode("latin-1")
        def find_loop(collect):
            find, step = m.find, len(dense)
            found = []
            hits = 0
            i = find(dense, 0)
            while i != -1:
                if collect:
                    found.append(i)
                hits += 1
                i = find(dense, i + step)
            return hits
        out["count"] = timed(plans["count"], lambda: find_loop(False), spec["denseHits"])
        out["findAll"] = timed(plans["findAll"], lambda: find_loop(True), spec["denseHits"])

        def lines_loop():
            m.seek(0)
            lines = 0
            for line in iter(m.readline, b''):
                lines += 1
            return lines
        out["lines"] = timed(plans["lines"], lines_loop, spec["lines"])
    finally:
        m.close()
    iterations = spec["openIterations"]
    out["open4k"] = time_open_close(plans["open4k"], spec["smallFile"], iterations)
    out["open1g"] = time_open_close(plans["open1g"], spec["sparseFile"], iterations)
    return out


def scaling(spec):
    """find over maps of several lengths of the text file; open + close of files of several sizes."""
    needle8 = spec["needle8"].encode("latin-1")
    find = {}
    for row in spec["find"]:
        m = map_file(spec["text"], row["size"])
        calls = row["calls"]
        def run():
            found = 0
            for _ in range(calls):
                found += m.find(needle8, 0)
            return found
        try:
            find[str(row["size"])] = timed(spec["plan"], run, -calls)
        finally:
            m.close()
    opens = {}
    for row in spec["open"]:
        opens[str(row["size"])] = time_open_close(spec["plan"], row["path"], row["iterations"])
    return {"find": find, "open": opens}


def memory_status():
    with open("/proc/self/status") as f:
        rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    with open("/proc/self/maps") as f:
        mappings = sum(1 for _ in f)
    return {"rss": rss, "mappings": mappings}


def open_maps(spec):
    """RSS and mapping count as anonymous maps of spec['mapSize'] bytes pile up, one byte written in each."""
    rows = [dict(count=0, **memory_status())]
    maps = []
    for target in spec["counts"]:
        start = time.perf_counter_ns()
        opened = len(maps)
        while len(maps) < target:
            m = mmap.mmap(-1, spec["mapSize"])
            m[0] = 1
            maps.append(m)
        seconds = (time.perf_counter_ns() - start) / 1e9
        rows.append(dict(count=target, secondsPerOpen=seconds / max(1, target - opened), **memory_status()))
    for m in maps:
        m.close()
    return rows


def main():
    request = json.load(sys.stdin)
    mode = request["mode"]
    if mode == "main":
        result = main_table(request["spec"])
    elif mode == "scaling":
        result = scaling(request["spec"])
    elif mode == "maps":
        result = open_maps(request["spec"])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    json.dump({"python": sys.version.split()[0], "result": result}, sys.stdout)


if __name__ == "__main__":
    main()
