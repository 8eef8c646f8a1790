# The Python host's own tests, each against CPython's mmap where there is an answer to compare:
# a process forked after import, threads, 50,000 maps, the truncation under a native map, the
# buffer protocol, and the error table against assembly/errors.ts.
import mmap
import multiprocessing
import os
import re
import tempfile
import threading
import unittest
from pathlib import Path

import wasm_mmap
from wasm_mmap import _abi

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = mmap.PAGESIZE


def temp_file(content):
    fd, path = tempfile.mkstemp(prefix="wasm-mmap-py-")
    os.write(fd, content)
    os.close(fd)
    return path


def child_work(path):
    """Runs in a forked child: a map made before the fork, and new ones."""
    with open(path, "r+b") as f, wasm_mmap.mmap(f.fileno(), 0) as m:
        m[0:5] = b"child"
        anon = wasm_mmap.mmap(-1, 100)
        anon.write(b"abc")
        return m.find(b"needle"), anon[:3], m[:5]


class ErrorTable(unittest.TestCase):
    def test_the_table_is_assembly_errors_ts(self):
        # One table: every code of the core with the class and message its comment names.
        source = (ROOT / "assembly" / "errors.ts").read_text()
        rows = re.findall(r"export const E_\w+: i32 = (\d+);\s*// (\w+): (.+)", source)
        self.assertGreater(len(rows), 25)
        for code, name, message in rows:
            cls, text = _abi.ERRORS[int(code)]
            self.assertEqual((cls.__name__, text), (name, message.strip()), code)
        codes = {int(c) for c in re.findall(r"export const E_\w+: i32 = (\d+);", source)}
        self.assertEqual(set(_abi.ERRORS), {c for c in codes if c < _abi.E_OS})

    def test_module_names_are_cpythons(self):
        for name in dir(mmap):
            if not name.startswith("_"):
                self.assertTrue(hasattr(wasm_mmap, name), name)
                if name != "mmap" and name != "error":
                    self.assertEqual(getattr(wasm_mmap, name), getattr(mmap, name), name)
        self.assertEqual(sorted(n for n in dir(mmap.mmap) if not n.startswith("_")),
                         sorted(n for n in dir(wasm_mmap.mmap) if not n.startswith("_")))


class Fork(unittest.TestCase):
    def test_a_process_forked_after_import(self):
        path = temp_file(b"hello " * 1000 + b"needle")
        try:
            before = wasm_mmap.mmap(-1, 10)
            before.write(b"parent")
            with multiprocessing.get_context("fork").Pool(2) as pool:
                got = pool.map(child_work, [path, path])
            self.assertEqual(got, [(6000, b"abc", b"child")] * 2)
            self.assertEqual(before[:6], b"parent")  # the child's writes stay the child's
            with open(path, "rb") as f:
                self.assertEqual(f.read(5), b"child")  # a shared map's writes reach the file
        finally:
            os.unlink(path)


class Threads(unittest.TestCase):
    def test_maps_in_threads_give_cpythons_answers(self):
        errors = []

        def work(seed):
            try:
                for i in range(200):
                    data = bytes((seed + i + j) % 256 for j in range(300))
                    answers = []
                    for module in (mmap, wasm_mmap):
                        m = module.mmap(-1, 300)
                        m.write(data)
                        m.seek(seed % 300)
                        answers.append((m.find(data[100:108]), m.rfind(data[5:7]), m.read(17), m[::7],
                                        m.read_byte(), len(m), m.tell()))
                        m.close()
                    if answers[0] != answers[1]:
                        errors.append(answers)
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_one_map_shared_by_threads(self):
        m = wasm_mmap.mmap(-1, 8 * 1000)
        def work(n):
            for i in range(1000):
                m[n * 1000 + i] = n + 1
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(m[:], b"".join(bytes([n + 1]) * 1000 for n in range(8)))


class ManyMaps(unittest.TestCase):
    def test_50000_anonymous_maps(self):
        maps = [wasm_mmap.mmap(-1, 64) for _ in range(50_000)]
        for i in (0, 12345, 49_999):
            maps[i][0] = i % 256
        self.assertEqual([maps[i][0] for i in (0, 1, 12345, 49_999)], [0, 0, 12345 % 256, 49_999 % 256])
        for m in maps:
            m.close()
        again = wasm_mmap.mmap(-1, 64)
        self.assertEqual(again[:], bytes(64))  # a reused region reads as zeros


@unittest.skipUnless(wasm_mmap._mmap._BACKING == "native", "the native backing's truncation")
class Truncation(unittest.TestCase):
    def test_a_file_shrunk_under_a_native_map_is_efault_not_sigbus(self):
        path = temp_file(b"x" * (4 * PAGE))
        try:
            with open(path, "r+b") as f:
                m = wasm_mmap.mmap(f.fileno(), 0)
                m.seek(PAGE)
                os.truncate(path, PAGE)  # another writer; CPython dies of SIGBUS past here
                for touch in (lambda: m[2 * PAGE], lambda: m.read(PAGE), lambda: m.read_byte(),
                              lambda: m.find(b"y"), lambda: m[PAGE:3 * PAGE]):
                    with self.assertRaises(OSError) as raised:
                        touch()
                    self.assertEqual((raised.exception.errno, str(raised.exception)),
                                     (14, "[Errno 14] Bad address"))
                self.assertEqual(m.tell(), PAGE)  # a failed read left the cursor
                self.assertEqual(m[PAGE - 1], ord("x"))  # the covered page still reads the file
                os.truncate(path, 4 * PAGE)  # the file grows back: its pages map again (zeros)
                self.assertEqual(m[2 * PAGE], 0)
                m[2 * PAGE] = 7
                m.flush()
                with open(path, "rb") as g:
                    self.assertEqual(g.read()[2 * PAGE], 7)
                m.close()
        finally:
            os.unlink(path)

    def test_a_first_touch_of_lost_pages_after_a_match_answers_as_cpython(self):
        # 'needle\n' ends the page the file keeps; the search's and readline's blocks read past it.
        content = b"." * (PAGE - 7) + b"needle\n" + b"." * (2 * PAGE)
        answers = []
        for module in (mmap, wasm_mmap):
            def fresh():
                path = temp_file(content)
                with open(path, "r+b") as f:
                    m = module.mmap(f.fileno(), 0)
                os.truncate(path, PAGE)
                os.unlink(path)
                m.seek(PAGE - 96)
                return m
            # Each on a map that has not met the lost pages yet, so that the call itself does.
            a, b, c = fresh(), fresh(), fresh()
            answers.append((a.find(b"needle"), b.find(b"\n", PAGE - 1), c.readline(), c.tell()))
            if module is wasm_mmap:
                for search in (lambda: a.find(b"absent"), lambda: b.rfind(b"needle")):
                    with self.assertRaises(OSError) as raised:
                        search()
                    self.assertEqual(raised.exception.errno, 14)
            for m in (a, b, c):
                m.close()
        self.assertEqual(answers[1], answers[0])


class Buffer(unittest.TestCase):
    def test_memoryview_and_re_as_cpython(self):
        for module in (mmap, wasm_mmap):
            m = module.mmap(-1, 32)
            m.write(b"abc needle xyz")
            with memoryview(m) as view:
                self.assertEqual(view[4:10].tobytes(), b"needle")
                view[0] = ord("A")
                with self.assertRaises(BufferError):
                    m.close()
                with self.assertRaises(BufferError):
                    m.resize(64)
            self.assertEqual(re.search(rb"n\w+", m).group(), b"needle")
            self.assertEqual(m[:1], b"A")
            m.close()
            with self.assertRaises(ValueError):
                memoryview(m)

    def test_read_only_buffer(self):
        path = temp_file(b"0123456789")
        try:
            with open(path, "rb") as f:
                for module in (mmap, wasm_mmap):
                    with module.mmap(f.fileno(), 0, access=module.ACCESS_READ) as m:
                        with memoryview(m) as view:
                            self.assertTrue(view.readonly)
                            self.assertEqual(bytes(view), b"0123456789")
        finally:
            os.unlink(path)


if __name__ == "__main__":
    unittest.main()
