// A required argument not given (`undefined`) is CPython's arity TypeError, word for word, not a
// conversion of None (issue 14): the expected messages come from python3 at test time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap, ValueError } from '../src/index.ts';
import { python, throwsExact } from './helpers.ts';

const test = suite('arity');

/** [Python method, its positional arguments]: each call gives fewer than the method requires. */
const CALLS: [string, unknown[]][] = [
  ['move', []], ['move', [0]], ['move', [0, 0]], ['write', []], ['write_byte', []], ['seek', []],
  ['find', []], ['rfind', []], ['resize', []], ['madvise', []],
];
const CAMEL: Record<string, string> = { write_byte: 'writeByte' };

const expected = python<{ open: string[]; closed: string[]; ctor: string[] }>(`import json, mmap, sys
calls = json.load(sys.stdin)
def error(f, *args):
    try: f(*args)
    except Exception as e: return f'{type(e).__name__}: {e}'
m = mmap.mmap(-1, 16)
c = mmap.mmap(-1, 16); c.close()
print(json.dumps({
  'open': [error(getattr(m, name), *args) for name, args in calls],
  'closed': [error(getattr(c, name), *args) for name, args in calls],
  'ctor': [error(mmap.mmap), error(mmap.mmap, -1), error(mmap.mmap, 'x')],
}))`, CALLS);

test('every method with too few arguments: CPython\'s class and message', () => {
  const m = new MMap(-1, 16);
  CALLS.forEach(([name, args], i) => {
    const method = (m as any)[CAMEL[name] ?? name] as (...a: unknown[]) => unknown;
    const e = throwsExact(() => method.apply(m, args), TypeError);
    assert.is(`${e.name}: ${e.message}`, expected.open[i], `${name}(${args.join(', ')})`);
  });
  // undefined is "not given" even before a given argument.
  throwsExact(() => m.move(0, undefined as any, 1), TypeError, 'move() takes exactly 3 arguments (1 given)');
  m.close();
});

test('on a closed map the closed check comes first, as in CPython', () => {
  const m = new MMap(-1, 16);
  m.close();
  CALLS.forEach(([name, args], i) => {
    const method = (m as any)[CAMEL[name] ?? name] as (...a: unknown[]) => unknown;
    const e = throwsExact(() => method.apply(m, args), ValueError);
    assert.is(`${e.name}: ${e.message}`, expected.closed[i], `${name}(${args.join(', ')})`);
  });
});

test('the constructor names the missing argument, after converting those before it', () => {
  const made = [() => new (MMap as any)(), () => new (MMap as any)(-1), () => new (MMap as any)('x')];
  made.forEach((make, i) => {
    const e = throwsExact(make, TypeError);
    assert.is(`${e.name}: ${e.message}`, expected.ctor[i]);
  });
});

test.run();
