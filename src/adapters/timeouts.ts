/**
 * The one timeout helper of the adapters: waits for `promise` to settle, or
 * `timeoutMs`, whichever comes first. Never rejects; resolves `true` when the
 * promise settled in time. Its timer is cleared either way.
 */
export function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settle, settle);
  });
}
