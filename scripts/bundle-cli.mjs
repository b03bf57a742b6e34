// Bundles the CLI (dist/cli/main.js and what it imports, commander included) into a few files
// under dist/bundle, so a client command loads one module instead of ~20: on Node 20 module
// resolution and linking, not our code, dominate `dalga get`'s start-up. Everything the client
// path does not need (drivers, Ink, React, pino, undici, …) stays an external package, loaded
// lazily by the commands that use it; `--splitting` keeps `serve` and `ls --watch` in chunks of
// their own.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bundled = new Set(['commander']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !bundled.has(name));

// esbuild never deletes: chunks of earlier builds (content-hashed names) would pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...external, ...external.map((name) => `${name}/*`)],
  // commander is CommonJS: give the bundle a `require` for the node: built-ins it asks for.
  banner: { js: "import { createRequire as __dalgaCreateRequire } from 'node:module'; const require = __dalgaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
