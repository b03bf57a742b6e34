import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from '../../../src/runtime/heap-growth.js';

describe('limitHeapGrowth', () => {
  it("leaves the operator's own --heap-growing-percent alone", () => {
    expect(limitHeapGrowth(['--heap-growing-percent=10'])).toBe(false);
    expect(limitHeapGrowth(['--enable-source-maps', '--heap_growing_percent', '10'])).toBe(false);
  });

  it('applies the daemon default otherwise', () => {
    expect(limitHeapGrowth(['--enable-source-maps'])).toBe(true);
  });
});
