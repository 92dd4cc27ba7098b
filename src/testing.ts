/**
 * `callchart/testing`: the in-memory fake network, for testing your app
 * without a SIP server. `new Device({ adapter: network.adapter, … })`.
 *
 * @packageDocumentation
 */
import type { Call } from './call';
import { VoiceSDKError } from './errors';
import type { FakeSession } from './adapters/fake';

export {
  createFakeNetwork,
  FakeNetwork,
  ScriptedRemote,
  RemoteCall,
} from './adapters/fake';
export type { FakeNetworkOptions, RemoteCallState, FakeSession, FakeConditions } from './adapters/fake';

/**
 * The fake network's session of a call (what `call.session` holds when the
 * Device uses `network.adapter`; `Call.session` is typed for SIP.js).
 * Throws `VoiceSDKError('invalid-argument')` for a call of another adapter.
 */
export function fakeSessionOf(call: Call): FakeSession {
  const session: unknown = call.session;
  if (typeof session !== 'object' || session === null || !('receivedDigits' in session) || !('remoteHold' in session)) {
    throw new VoiceSDKError('invalid-argument', 'fakeSessionOf() needs a call made on the fake network');
  }
  return session as FakeSession;
}
