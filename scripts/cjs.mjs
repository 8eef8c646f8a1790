// Makes the package loadable by require() as well as import, with one copy of the library per
// process whichever way it is loaded (two copies would each keep their own table of cores, and
// only one of them would hear the native helper's fault reports):
//   dist/index.cjs   the library, bundled by esbuild from tsc's ESM output (`require` target);
//   dist/index.mjs   an ES module that re-exports dist/index.cjs by name (`import` target);
//   dist/cjs/        the declarations again, under a {"type": "commonjs"} package.json, so that
//                    TypeScript reads them as CommonJS types for require().
// Run by `npm run build:ts`, after tsc.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const dist = new URL('../dist/', import.meta.url);

await build({
  entryPoints: [new URL('index.js', dist).pathname],
  outfile: new URL('index.cjs', dist).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // The sources find build/ relative to import.meta.url; the bundle sits in dist/ beside them.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

const names = Object.keys(createRequire(import.meta.url)(new URL('index.cjs', dist).pathname));
writeFileSync(new URL('index.mjs', dist),
  "// wasm-mmap for import: the CommonJS build's exports, so that import and require share one copy.\n"
  + "import library from './index.cjs';\n\n"
  + `export const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = library;\n`);

const cjs = new URL('cjs/', dist);
mkdirSync(cjs, { recursive: true });
writeFileSync(new URL('package.json', cjs), '{ "type": "commonjs" }\n');
for (const file of readdirSync(dist)) if (file.endsWith('.d.ts')) copyFileSync(new URL(file, dist), new URL(file, cjs));
