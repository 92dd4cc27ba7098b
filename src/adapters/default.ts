/**
 * The default adapter: SIP.js, loaded with `import()` when a Device is made,
 * so that an app's bundler splits it into a chunk of its own (see
 * deferred.ts). `callchart/adapter`'s `createSipJsAdapter` is the same
 * adapter, loaded at once.
 */
import type { AdapterFactory } from './adapter';
import { deferAdapter } from './deferred';

export const createDefaultAdapter: AdapterFactory = /* @__PURE__ */ deferAdapter(() =>
  import('./sipjs').then((module) => module.createSipJsAdapter),
);
