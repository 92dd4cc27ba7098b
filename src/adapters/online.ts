/** The browser's word that the network is back or changed, for the adapters. */

/**
 * Calls `listener` on the browser's `online` event and on a change of the
 * network connection (`navigator.connection` `change`, where the Network
 * Information API exists: Wi-Fi to cable, a VPN); returns the unsubscribe.
 */
export function watchOnline(listener: () => void): () => void {
  const target = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
  globalThis.addEventListener('online', listener);
  const connection = (globalThis.navigator as { connection?: EventTarget } | undefined)?.connection;
  const watchesChange = typeof connection?.addEventListener === 'function';
  if (watchesChange) connection!.addEventListener('change', listener);
  return () => {
    globalThis.removeEventListener('online', listener);
    if (watchesChange) connection!.removeEventListener('change', listener);
  };
}
