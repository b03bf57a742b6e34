import { describe, expect, it } from 'vitest';
import { COMPILER_MEMORY_FLAGS, limitCompilerMemory } from '../../../src/runtime/compiler-memory.js';

describe('limitCompilerMemory', () => {
  it('applies both limits by default: baseline-compiled WebAssembly, a young generation that does not grow', () => {
    expect(COMPILER_MEMORY_FLAGS).toEqual(['--liftoff-only', '--semi-space-growth-factor=1']);
    expect(limitCompilerMemory(['--enable-source-maps'])).toEqual([...COMPILER_MEMORY_FLAGS]);
  });

  it("leaves a flag the operator set on node's command line alone, in either spelling", () => {
    expect(limitCompilerMemory(['--semi_space_growth_factor=2'])).toEqual(['--liftoff-only']);
    expect(limitCompilerMemory(['--no-liftoff-only'])).toEqual(['--semi-space-growth-factor=1']);
    expect(limitCompilerMemory(['--wasm-tiering-budget=1000'])).toEqual(['--semi-space-growth-factor=1']);
  });
});
