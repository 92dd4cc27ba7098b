/** How INVITEs find their way on the fake network: to a scripted remote, a registered fake device, or nowhere. */
import { splitSipUri } from '../../sip/grammar';
import { CALL_DOES_NOT_EXIST_STATUS, UNAVAILABLE_STATUS } from '../../sip/responses';
import { FakeCallPort } from './call';
import type { FakeCallInit } from './session';
import type { WireMessage } from './wire';
import type { FakeNetwork } from './network';
import { RemoteCall, type ScriptedRemote } from './remote';
import type { RemoteParty } from '../adapter';

/** What a scripted remote's call to a device carries. */
export interface RemoteCallOptions {
  headers?: Record<string, string>;
  fromUser?: string;
  /** The INVITE offers video (and the remote sends it once answered). */
  video?: boolean;
  /** The From display name, P-Asserted-Identity and Remote-Party-ID the INVITE carries (raw: a test of untrusted input too). */
  party?: Omit<RemoteParty, 'uri'>;
}

/** The user part of a SIP URI: what the registrar binds and routes by. */
export function userOf(uri: string): string {
  return splitSipUri(uri)?.user ?? uri;
}

/**
 * An outbound INVITE of a fake device's call: to a scripted remote, a
 * registered fake device, or a 404. An INVITE with Replaces (RFC 3891) goes
 * to the user agent holding the answered call it names, whatever the request
 * URI's user; 481 when none does.
 */
export function routeInvite(network: FakeNetwork, call: FakeCallPort, init: FakeCallInit): void {
  const { aor, user: fromUser, displayName } = init.from!;
  const replaces = init.referral?.replaces;
  const user = userOf(init.party.uri);
  const answer = (message: WireMessage): void => network.deliver(() => call.receive(message));
  const remote = network.remotes.get(user);
  const response = replaces === undefined ? network.inviteResponses.shift() : undefined;
  // No answer at all: the stack's Timer B ends the INVITE with a 408 of its own.
  if (response !== undefined) return answer({ type: 'reject', status: response === 'timeout' ? 408 : response });
  // The far end gets the INVITE at once; its answers travel back with latency.
  if (remote && replaces === undefined) {
    const remoteCall = new RemoteCall(network, call, {
      direction: 'inbound',
      headers: init.headers,
      from: aor,
      media: remote.media,
      offeredVideo: call.wantsVideo,
      ...(fromUser ? { fromUser } : {}),
    });
    call.connectTo(remoteCall);
    return remote.accept(remoteCall);
  }
  const ua = replaces === undefined ? network.bindings.get(user) : network.holderOfCall(replaces);
  if (!ua) return answer({ type: 'reject', status: replaces === undefined ? 404 : CALL_DOES_NOT_EXIST_STATUS });
  const inbound = new FakeCallPort(network, {
    direction: 'inbound',
    party: { uri: fromUser ? `sip:${fromUser}@${network.domain}` : aor, ...(displayName === undefined ? {} : { displayName }) },
    video: call.wantsVideo,
    headers: init.headers,
    prefix: ua.config.headerPrefix,
    peer: call,
    remoteUri: aor,
    replaces,
  });
  call.connectTo(inbound);
  answer(ua.deliverIncoming(inbound) ? { type: 'ringing' } : { type: 'reject', status: UNAVAILABLE_STATUS });
}

/** A scripted remote calls a fake device. */
export function callFromRemote(network: FakeNetwork, remote: ScriptedRemote, target: string, options: RemoteCallOptions): RemoteCall {
  const ua = network.bindings.get(userOf(target));
  if (!ua) throw new Error(`No device is registered as ${target}`);
  const headers = options.headers ?? {};
  const callerUri = `sip:${options.fromUser ?? remote.user}@${network.domain}`;
  const inbound = new FakeCallPort(network, {
    direction: 'inbound',
    party: { uri: callerUri, ...options.party },
    video: options.video === true,
    headers,
    prefix: ua.config.headerPrefix,
  });
  const remoteCall = new RemoteCall(network, inbound, {
    direction: 'outbound',
    headers,
    from: callerUri,
    media: remote.media,
    ...(options.fromUser ? { fromUser: options.fromUser } : {}),
    video: options.video === true,
  });
  inbound.connectTo(remoteCall);
  remote.accept(remoteCall);
  network.deliver(() => ua.deliverIncoming(inbound));
  return remoteCall;
}

