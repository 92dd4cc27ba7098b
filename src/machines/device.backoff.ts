/** The device chart's reconnect arithmetic: the backoff and the server in use. */
import type { DeviceContext } from './device.types';

/** Exponential backoff with jitter: the n-th failure waits base·2^(n−1), capped, scaled by 0.5–1. */
export function backoffDelay(context: DeviceContext): number {
  const { baseDelayMs, maxDelayMs } = context.reconnect;
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, context.failedAttempts - 1));
  return Math.round(exponential * (0.5 + context.random() / 2));
}

/** The server the device connects to now. */
export const currentServer = (context: DeviceContext): string => context.servers[context.serverIndex] ?? '';

