# wasm_mmap against CPython's mmap, one run beside each other on a 256 MiB file (issue 11's
# goals): find/rfind of an 8-byte needle (not in the file: a whole scan), read_byte, and
# open + close. Prints a Markdown table. Run: build/pyenv/bin/python bench/python.py
import mmap
import os
import sys
import tempfile
import time

import wasm_mmap

SIZE = 256 << 20
NEEDLE = b"needle!!"


def best(fn, repeat, number):
    """The best of `repeat` timings of `number` calls, per call, in µs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number * 1e6)
    return min(times)


def main():
    fd, path = tempfile.mkstemp(prefix="wasm-mmap-bench-")
    try:
        block = bytes(range(256)) * 4096  # 1 MiB, no needle
        for _ in range(SIZE // len(block)):
            os.write(fd, block)
        rows = []
        for name, module in (("CPython", mmap), ("wasm_mmap", wasm_mmap)):
            m = module.mmap(fd, 0)
            r = {
                "find": best(lambda: m.find(NEEDLE, 0), 5, 1),
                "rfind": best(lambda: m.rfind(NEEDLE, 0), 5, 1),
            }
            m.seek(0)
            read_byte = m.read_byte
            seek = m.seek

            def bytes_loop():
                seek(0)
                for _ in range(10000):
                    read_byte()
            r["read_byte"] = best(bytes_loop, 5, 20) / 10000
            m.close()
            r["open+close"] = best(lambda: module.mmap(fd, 0).close(), 5, 200)
            rows.append((name, r))
        (_, py), (_, ours) = rows
        print(f"256 MiB file, python {sys.version.split()[0]}, one run, best of 5 (µs per call)\n")
        print("| operation | CPython mmap | wasm_mmap | ratio (wasm_mmap time / CPython's) |")
        print("|---|---|---|---|")
        for op in py:
            print(f"| {op} | {py[op]:.3f} | {ours[op]:.3f} | {ours[op] / py[op]:.2f}× |")
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == "__main__":
    main()
