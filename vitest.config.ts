import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// React 18 lives in its own little tree (test/react18, its own lock): npm cannot hold
// React 18 and 19 side by side in one (react-dom's peer dependency on react).
const react18 = fileURLToPath(new URL('./test/react18/node_modules/', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/model/**/*.test.ts'],
          environment: 'node',
          env: { CALLCHART_REACT_MAJOR: '19' },
        },
      },
      {
        // The callchart/react hooks tests again, against React 18 (the other peer version).
        resolve: {
          alias: [{ find: /^(react|react-dom|@testing-library\/react|@xstate\/react)(\/.*)?$/, replacement: `${react18}$1$2` }],
        },
        test: {
          name: 'react18',
          include: ['test/unit/react/**/*.test.ts'],
          environment: 'node',
          env: { CALLCHART_REACT_MAJOR: '18' },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
