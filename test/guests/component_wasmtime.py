# Runs plans (plan.ts) on build/mmap.component.wasm in Wasmtime (wasmtime-py's component API,
# WASI 0.2 through Linker.add_wasip2), one instance for the batch, with one preopened directory
# (/data) that holds each case's file. Reads a JSON array of plans on stdin, writes the answers
# (test/oracle/FORMAT.md's shape) as a JSON array on stdout.
import json
import os
import pathlib
import sys
import tempfile

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker, Record

COMPONENT = pathlib.Path(__file__).resolve().parents[2] / 'build' / 'mmap.component.wasm'
INTERFACE = 'wasm-mmap:mmap/mmap@0.1.0'


def class_name(kind):
    """Python's class for a WIT error-kind: file-not-found-error is FileNotFoundError."""
    return ''.join(w.upper() if w in ('os', 'io') else w.capitalize() for w in kind.split('-'))


class Driver:
    def __init__(self, directory):
        engine = Engine()
        self.store = Store(engine)
        wasi = WasiConfig()
        wasi.preopen_dir(directory, '/data')
        self.store.set_wasi(wasi)
        linker = Linker(engine)
        linker.add_wasip2()
        self.instance = linker.instantiate(self.store, Component.from_file(engine, str(COMPONENT)))
        self.iface = self.instance.get_export_index(self.store, INTERFACE)
        self.funcs = {}

    def func(self, name):
        if name not in self.funcs:
            index = self.instance.get_export_index(self.store, name, self.iface)
            self.funcs[name] = self.instance.get_func(self.store, index)
        return self.funcs[name]

    def call(self, name, *args):
        """A WIT function's result: the ok value, or ('err', class, message) for a result's error."""
        result = self.func(name)(self.store, *args)
        # wasmtime-py gives a result's ok payload as is and its error (a WIT record) as a Record.
        if isinstance(result, Record):
            return ('err', class_name(result.kind), result.message)
        return result

    def method(self, m, name, *args):
        return self.call(f'[method]mmap-object.{name}', m, *args)


def options(o):
    r = Record()
    r.flags, r.prot, r.access, r.offset = o['flags'], o['prot'], o['access'], o['offset']
    return r


def lower(a):
    if isinstance(a, dict):
        return bytes.fromhex(a['hex'])
    return a


def value(v):
    if isinstance(v, (bytes, bytearray)):
        return {'hex': v.hex()}
    return v


def run_plan(d, directory, index, plan):
    name = f'case-{index}'
    path = os.path.join(directory, name)
    if plan['file'] is not None:
        with open(path, 'wb') as f:
            f.write(bytes.fromhex(plan['file']))
    maps, replaced, results = {}, [], []

    def pos(slot):
        m = maps.get(slot)
        return None if m is None or d.method(m, 'closed') else d.method(m, 'tell')

    def answer(r, slot):
        if isinstance(r, tuple) and r[0] == 'err':
            return {'err': [r[1], r[2]], 'pos': pos(slot)}
        return {'ok': value(r), 'pos': pos(slot)}

    for s in plan['steps']:
        kind = s['kind']
        if kind == 'fileWrite':
            with open(path, 'r+b') as f:
                f.seek(s['offset'])
                f.write(bytes.fromhex(s['hex']))
            results.append({'ok': None})
        elif kind == 'fileTruncate':
            os.truncate(path, s['length'])
            results.append({'ok': None})
        elif kind == 'fileRead':
            with open(path, 'rb') as f:
                results.append({'ok': {'hex': f.read().hex()}})
        elif kind == 'call':
            m = maps.get(s['slot'])
            if m is None:
                results.append({'nomap': True, 'pos': None})
                continue
            results.append(answer(d.method(m, s['method'], *map(lower, s['args'])), s['slot']))
        else:
            if kind == 'open':
                r = d.call('[static]mmap-object.open', f'/data/{name}', s['length'], options(s['options']))
            else:
                r = d.call('[static]mmap-object.anonymous', s['length'], options(s['options']))
            if not isinstance(r, tuple):
                if s['slot'] in maps:
                    replaced.append(maps[s['slot']])
                maps[s['slot']] = r
                r = d.method(r, 'to-string')
            results.append(answer(r, s['slot']))
    # As interpret.ts: every map closes (a shared map writes back), then the file is read.
    for m in replaced + list(maps.values()):
        d.method(m, 'close')
        m.drop(d.store)
    file = None
    if plan['file'] is not None:
        with open(path, 'rb') as f:
            file = {'hex': f.read().hex()}
        os.remove(path)
    return {'results': results, 'file': file}


def main():
    plans = json.load(sys.stdin)
    with tempfile.TemporaryDirectory(prefix='wasm-mmap-component-') as directory:
        d = Driver(directory)
        json.dump([run_plan(d, directory, i, p) for i, p in enumerate(plans)], sys.stdout)


if __name__ == '__main__':
    main()
