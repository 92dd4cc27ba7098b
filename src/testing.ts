/**
 * `callchart/testing`: the in-memory fake network, for testing your app
 * without a SIP server. `new Device({ adapter: network.adapter, … })`.
 */
export {
  createFakeNetwork,
  FakeNetwork,
  ScriptedRemote,
  RemoteCall,
  FakeUserAgent,
  FakeCallPort,
} from './adapters/fake';
export type { FakeNetworkOptions, RemoteCallState, FakeSession, FakeConditions } from './adapters/fake';
