import { createRequire } from 'node:module';

/**
 * CommonJS packages are loaded with require, not `import`: the first `import` of a CommonJS
 * module makes Node compile cjs-module-lexer (WebAssembly) to find its named exports, ~5 MB of
 * resident memory for the daemon's whole life (BENCHMARKS.md, footprint). Types come from
 * `import type`.
 */
export const requireCjs = createRequire(import.meta.url);
