import { afterEach, beforeEach } from 'vitest';

// Child daemons and loopback endpoints that a test starts register here; whatever the test left
// running is stopped after it (test/support/setup.ts), so no test file repeats that clean-up.
// What a beforeAll starts is shared by the file's tests and left to the file's afterAll.
const open = new Set<() => Promise<unknown>>();
let inTest = false;

/** Registers `close` to run after the current test; answers a once-only version of it. */
export function trackOpen(close: () => Promise<unknown>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const once = (): Promise<void> => {
    open.delete(once);
    return (closing ??= close().then(() => undefined));
  };
  if (inTest) open.add(once);
  return once;
}

export function closeAllAfterEach(): void {
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    await Promise.allSettled([...open].map((close) => close()));
  });
}
