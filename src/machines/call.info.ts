/**
 * `call.info`: the far end's identity from its headers (the port's
 * `remoteParty`, updated by `identity` facts), merged with the app's own
 * fields (`setInfo`). Fields the app locked keep the app's value when the far
 * end's identity changes. Pure functions; the call chart's actions
 * (`updateInfoFromNetwork`, `setAppInfo` in ./call.setup) apply them with
 * `applyInfoChange`.
 */
import type { RemoteParty } from '../adapters/adapter';
import { callInfoOf, infoEquals, withAppInfo, withNetworkInfo, type CallInfo } from '../sip/identity';
import type { CallContext, CallEmitted } from './call.types';

/** What an info change assigns and emits; undefined when nothing changed. */
export interface InfoChange {
  party: RemoteParty;
  info: CallInfo;
  infoLocked: string[];
}

type InfoContext = Pick<CallContext, 'party' | 'info' | 'infoLocked' | 'port'>;

/** The far end's identity changed (an `identity` fact): its new headers merged over the old ones. */
export function networkInfoChange(context: InfoContext, update: RemoteParty): InfoChange | undefined {
  const party: RemoteParty = { ...context.party };
  for (const key of ['uri', 'displayName', 'assertedIdentity', 'remotePartyId'] as const) {
    const value = update[key];
    if (typeof value === 'string') party[key] = value;
  }
  const info = withNetworkInfo(context.info, callInfoOf(party, context.port.remoteIdentity), context.infoLocked);
  return infoEquals(info, context.info) ? undefined : { party, info, infoLocked: context.infoLocked };
}

/** The app's fields (`setInfo`); `lock` locks (true) or unlocks (false) each field given. */
export function appInfoChange(
  context: InfoContext,
  fields: Readonly<Record<string, string | undefined>>,
  lock: boolean,
): InfoChange {
  const keys = Object.keys(fields);
  const infoLocked = lock
    ? [...new Set([...context.infoLocked, ...keys])]
    : context.infoLocked.filter((key) => !keys.includes(key));
  return { party: context.party, info: withAppInfo(context.info, fields), infoLocked };
}

/** Assigns an info change and emits `info` when the info itself changed. */
export function applyInfoChange(
  enqueue: { assign: (values: Partial<CallContext>) => void; emit: (event: CallEmitted) => void },
  context: CallContext,
  change: InfoChange | undefined,
): void {
  if (change === undefined) return;
  // Frozen: `call.info` hands this object to the app.
  enqueue.assign({ party: change.party, info: Object.freeze(change.info), infoLocked: change.infoLocked });
  if (!infoEquals(change.info, context.info)) enqueue.emit({ type: 'info', info: change.info, previous: context.info });
}

export { callInfoOf };
