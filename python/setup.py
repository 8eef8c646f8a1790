# Builds wasm_mmap's extension (wasm_mmap/_native.c with host/pages.c, the C the Node host
# compiles too) and puts a copy of the core into the package. Run `npm install` at the
# repository's root first: it builds build/core.wasm.
import shutil
from pathlib import Path

from setuptools import Extension, setup

here = Path(__file__).resolve().parent
root = here.parent
package = here / "wasm_mmap"

# Copies, so that the package (and a wheel of it) is whole without the repository; in an
# sdist's unpacked tree the copies are already there and the repository's files are not.
for source, target in [(root / "build" / "core.wasm", "core.wasm"),
                       (root / "host" / "pages.c", "pages.c"),
                       (root / "host" / "pages.h", "pages.h")]:
    if source.exists():
        shutil.copyfile(source, package / target)
    elif not (package / target).exists():
        raise SystemExit(f"wasm_mmap: {source} is missing: run `npm install` in {root} first")

setup(
    ext_modules=[Extension(
        "wasm_mmap._native",
        sources=["wasm_mmap/_native.c", "wasm_mmap/pages.c"],
        include_dirs=["wasm_mmap"],
        extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
                            "-Wno-unused-parameter", "-Wno-cast-function-type"],
    )],
)
