export { createFakeNetwork, FakeNetwork, type FakeNetworkOptions } from './network';
export { ScriptedRemote, RemoteCall, type RemoteCallState } from './remote';
export { FakeUserAgent } from './user-agent';
export { FakeCallPort } from './call';
export type { FakeSession } from './session';
export type { FakeConditions } from './wire';
