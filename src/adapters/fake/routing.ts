/** How INVITEs find their way on the fake network: to a scripted remote, a registered fake device, or nowhere. */
import { customHeadersOf } from '../../sip/headers';
import { sipUriParts } from '../../sip/grammar';
import { CALL_DOES_NOT_EXIST_STATUS, UNAVAILABLE_STATUS } from '../../sip/responses';
import { remoteIdentity } from '../../sip/target';
import { FakeCallPort } from './call';
import type { FakeNetwork } from './network';
import { RemoteCall, type ScriptedRemote } from './remote';
import type { RemoteParty } from '../adapter';

/** Who sends an outbound INVITE: the caller's AOR, the caller-ID user, the headers. */
export interface InviteFrom {
  aor: string;
  user?: string;
  /** The From display name (the device's `displayName`). */
  displayName?: string;
  headers: Record<string, string>;
}

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
  return sipUriParts(uri)?.user ?? uri;
}

/** The custom headers a fake device reads from an INVITE: the same rule (and bounds) as the SIP.js adapter. */
function customHeadersFor(headers: Record<string, string>, prefix: string): Record<string, string> {
  return customHeadersOf(Object.entries(headers), prefix);
}

/** An outbound INVITE from a fake device: to a scripted remote, a registered fake device, or a 404. */
export function routeInvite(network: FakeNetwork, call: FakeCallPort, target: string, from: InviteFrom, replaces?: string): void {
  if (replaces !== undefined) {
    routeReplacing(network, call, from, replaces);
    return;
  }
  const response = network.takeInviteResponse();
  if (response !== undefined) {
    network.deliver(() => {
      if (call.ended) return;
      // No answer at all: the stack's Timer B ends the INVITE with a 408 of its own.
      call.receive({ type: 'reject', status: response === 'timeout' ? 408 : response });
    });
    return;
  }
  // The far end gets the INVITE at once; its answers travel back with latency.
  {
    const user = userOf(target);
    const remote = network.remoteNamed(user);
    if (remote) {
      const remoteCall = new RemoteCall(network, call, {
        direction: 'inbound',
        headers: from.headers,
        from: from.aor,
        media: remote.media,
        offeredVideo: call.wantsVideo,
        ...(from.user ? { fromUser: from.user } : {}),
      });
      call.connectTo(remoteCall);
      remote.accept(remoteCall);
      return;
    }
    const ua = network.bindingOf(user);
    const callerUri = from.user ? `sip:${from.user}@${network.domain}` : from.aor;
    const inbound =
      ua &&
      new FakeCallPort(network, {
        id: network.nextCallId(),
        direction: 'inbound',
        remoteIdentity: remoteIdentity(callerUri),
        remoteParty: { uri: callerUri, ...(from.displayName === undefined ? {} : { displayName: from.displayName }) },
        video: call.wantsVideo,
        customHeaders: customHeadersFor(from.headers, ua.config.headerPrefix),
        peer: call,
        remoteUri: from.aor,
      });
    if (!ua || !inbound) {
      network.deliver(() => call.receive({ type: 'reject', status: 404 }));
      return;
    }
    call.connectTo(inbound);
    if (ua.deliverIncoming(inbound)) network.deliver(() => call.receive({ type: 'ringing' }));
    else network.deliver(() => call.receive({ type: 'reject', status: UNAVAILABLE_STATUS }));
  }
}

/**
 * An INVITE with Replaces (RFC 3891): to the user agent holding the answered
 * call it names, whatever the request URI's user; 481 when none does.
 */
function routeReplacing(network: FakeNetwork, call: FakeCallPort, from: InviteFrom, replaces: string): void {
  const ua = network.holderOfCall(replaces);
  if (!ua) {
    network.deliver(() => call.receive({ type: 'reject', status: CALL_DOES_NOT_EXIST_STATUS }));
    return;
  }
  const inbound = new FakeCallPort(network, {
    id: network.nextCallId(),
    direction: 'inbound',
    remoteIdentity: remoteIdentity(from.user ? `sip:${from.user}@${network.domain}` : from.aor),
    customHeaders: customHeadersFor(from.headers, ua.config.headerPrefix),
    peer: call,
    remoteUri: from.aor,
    replaces,
  });
  call.connectTo(inbound);
  if (ua.deliverIncoming(inbound)) network.deliver(() => call.receive({ type: 'ringing' }));
  else network.deliver(() => call.receive({ type: 'reject', status: UNAVAILABLE_STATUS }));
}

/** A scripted remote calls a fake device. */
export function callFromRemote(network: FakeNetwork, remote: ScriptedRemote, target: string, options: RemoteCallOptions): RemoteCall {
  const ua = network.bindingOf(userOf(target));
  if (!ua) throw new Error(`No device is registered as ${target}`);
  const headers = options.headers ?? {};
  const callerUri = `sip:${options.fromUser ?? remote.user}@${network.domain}`;
  let remoteCall: RemoteCall | undefined;
  const inbound = new FakeCallPort(network, {
    id: network.nextCallId(),
    direction: 'inbound',
    remoteIdentity: remoteIdentity(callerUri),
    remoteParty: { uri: callerUri, ...options.party },
    video: options.video === true,
    customHeaders: customHeadersFor(headers, ua.config.headerPrefix),
    remoteUri: callerUri,
    peer: {
      immediate: true,
      receive: (message) => remoteCall?.receive(message),
      get sendingAudio() {
        return remoteCall?.sendingAudio ?? false;
      },
      get media() {
        return remoteCall?.media;
      },
      get wantsVideo() {
        return remoteCall?.wantsVideo ?? false;
      },
    },
  });
  remoteCall = new RemoteCall(network, inbound, {
    direction: 'outbound',
    headers,
    from: callerUri,
    media: remote.media,
    ...(options.fromUser ? { fromUser: options.fromUser } : {}),
    video: options.video === true,
  });
  remote.accept(remoteCall);
  network.deliver(() => ua.deliverIncoming(inbound));
  return remoteCall;
}

