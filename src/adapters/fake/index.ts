export { createFakeNetwork, FakeNetwork, type FakeNetworkOptions } from './network';
export { ScriptedRemote, RemoteCall, type RemoteCallState } from './remote';
export { FakeUserAgent } from './user-agent';
export { FakeCallPort, type FakeSession } from './call';
export type { FakeConditions } from './wire';
