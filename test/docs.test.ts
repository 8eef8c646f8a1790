// docs/API.md documents every export and every member of MMap (a new export without its entry
// fails here), and every constant has a doc comment in src/constants.ts.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as library from '../src/index.ts';

const test = suite('API reference');
const root = new URL('..', import.meta.url).pathname;
const api = readFileSync(`${root}docs/API.md`, 'utf8');
const lines = api.split('\n');

/** Whether `name` has an entry: a heading, or the first cell of a table row, naming it in backticks. */
function documented(name: string): boolean {
  return lines.some((line) => (/^#{2,4} /.test(line) || line.startsWith('| `')) && line.includes(`\`${name}`));
}

test('every runtime export has an entry', () => {
  const missing = Object.keys(library).filter((name) => !documented(name));
  assert.equal(missing, []);
});

test('every type export has an entry', () => {
  const index = readFileSync(`${root}src/index.ts`, 'utf8');
  const types = [...index.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.trim())).filter(Boolean);
  assert.ok(types.length >= 3);
  assert.equal(types.filter((name) => !documented(name)), []);
});

test('every member of MMap, static and instance, has an entry', () => {
  const instance = Object.getOwnPropertyNames(library.MMap.prototype).filter((name) => name !== 'constructor');
  const statics = Object.getOwnPropertyNames(library.MMap).filter((name) => !['length', 'name', 'prototype'].includes(name));
  const missing = [
    ...instance.filter((name) => !documented(`m.${name}`)),
    ...statics.filter((name) => !documented(`MMap.${name}`)),
  ];
  assert.equal(missing, []);
  assert.ok(documented('m[Symbol.dispose]'));
  assert.ok(documented('util.inspect(m)'));
});

test('every exported constant has a doc comment', () => {
  const source = readFileSync(`${root}src/constants.ts`, 'utf8').split('\n');
  const bare = source.flatMap((line, i) => (/^export const /.test(line) && !source[i - 1].trim().endsWith('*/') ? [line] : []));
  assert.equal(bare, []);
});

test.run();
