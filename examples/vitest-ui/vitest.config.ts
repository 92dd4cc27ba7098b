import { defineConfig } from 'vitest/config';

// Its own config, so that Vitest does not pick up the repository's.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], environment: 'node' } });
