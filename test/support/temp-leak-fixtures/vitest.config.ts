// The leak check on its own, for test/temp-leak-check.test.ts: one fixture test that leaks, one that does not.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.fixture.ts'],
    globalSetup: ['../temp-leak-setup.ts'],
  },
});
