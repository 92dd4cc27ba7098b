/**
 * The device machine's implementations: guards, actions, actors and delays,
 * named for the chart in `device.machine.ts`. Effects are actors from
 * `./device.actors`; the calls policy and the call actors the device spawns
 * are decided here from the machine's context.
 */
import { assign, emit, enqueueActions, raise, setup, stateIn, stopChild, type AnyActorRef } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { callMachine } from './call.machine';
import { connectActor, destroyActor, holdOthersActor, registerActor, unregisterActor, userAgentListener } from './device.actors';
import { holdOthersRequest, isInvokedActorId, liveCallActors, microphoneOf } from './device.calls';
import { BUSY_STATUS } from '../sip/responses';
import type { CallSnapshot } from './call.connect';
import type { CallPort } from '../adapters/adapter';
import { backoffDelay, currentServer } from './device.backoff';
import type { DeviceContext, DeviceEmitted, DeviceEvent, DeviceMachineInput, DeviceOperation, QueuedCall } from './device.types';

/**
 * The device machine's `setup()`, made when the machine is
 * (device.machine.ts): a function, as `callSetup` is.
 */
export const deviceSetup = () =>
  setup({
  types: {
    context: {} as DeviceContext,
    events: {} as DeviceEvent,
    input: {} as DeviceMachineInput,
    emitted: {} as DeviceEmitted,
  },
  actors: { userAgentListener, connectActor, registerActor, unregisterActor, destroyActor, callMachine, holdOthersActor },
  guards: {
    /** Call waiting is off and a call is accepted: the INVITE is answered 486. */
    isWaitingRefused: ({ context }) => !context.policy.callWaiting && Object.values(context.liveCalls).includes('accepted'),
    /** As many calls as `maxCalls` are up already (those waiting for the transport too): an INVITE is answered 486, `connect()` refused. */
    isOverMaxCalls: ({ context }) => Object.keys(context.liveCalls).length + context.queuedCalls.length >= context.policy.maxCalls,
    canRetry: ({ context }) => context.failedAttempts + 1 < context.reconnect.maxAttempts,
    isTransportConnected: stateIn('#transportConnected'),
    isUnregistered: stateIn({ active: { registration: 'unregistered' } }),
    isCallActor: (_, params: { actorId: string }) => !isInvokedActorId(params.actorId),
    /** An INVITE with Replaces: the call it names is one of ours (else 481: the dialog is gone for us). */
    isReplacing: (_, params: { port: CallPort }) => params.port.replaces !== undefined,
    isReplacingLiveCall: ({ context }, params: { port: CallPort }) =>
      params.port.replaces !== undefined && context.liveCalls[params.port.replaces] !== undefined,
  },
  delays: {
    reconnectDelay: ({ context }) => context.nextDelayMs,
    keepAliveInterval: ({ context }) => context.keepAlive.intervalMs,
    keepAliveTimeout: ({ context }) => context.keepAlive.timeoutMs,
    registerTimeout: ({ context }) => context.registerTimeoutMs,
  },
  actions: {
    resetAttempts: assign({ failedAttempts: 0 }),
    countFailure: assign({ failedAttempts: ({ context }) => context.failedAttempts + 1 }),
    nextServer: assign({ serverIndex: ({ context }) => (context.serverIndex + 1) % context.servers.length }),
    planReconnect: assign({ nextDelayMs: ({ context }) => backoffDelay(context) }),
    emitConnected: emit(({ context }) => ({ type: 'connected', server: currentServer(context) }) as const),
    emitReconnecting: emit(({ context }) => ({
      type: 'reconnecting',
      attempt: context.failedAttempts,
      delayMs: context.nextDelayMs,
      server: currentServer(context),
    }) as const),
    emitDisconnected: emit({ type: 'disconnected' } as const),
    emitTransportError: emit((_, params: { error: unknown }) => ({
      type: 'error',
      error: toVoiceSDKError(params.error, 'transport-failed'),
      operation: 'transport',
    }) as const),
    raiseTransportFailed: raise((_, params: { error: unknown }) => ({
      type: 'TRANSPORT_FAILED',
      error: toVoiceSDKError(params.error, 'transport-failed'),
    }) as const),
    requestTransport: raise({ type: 'CONNECT' } as const),
    sendPing: ({ context }) => context.ua.ping(),
    /** No pong in time: the socket is open but dead; the transport region treats it as lost. */
    raiseSocketDead: raise(({ context }) => ({
      type: 'TRANSPORT_LOST',
      error: new VoiceSDKError('timeout', `The SIP server did not answer a keep-alive within ${context.keepAlive.timeoutMs} ms`),
    }) as const),
    emitRegisterTimeout: emit(({ context }) => ({
      type: 'error',
      error: new VoiceSDKError('timeout', `Not registered within ${context.registerTimeoutMs} ms; still trying`),
      operation: 'register',
    }) as const),
    emitRegistering: emit({ type: 'registering' } as const),
    emitRegistered: emit({ type: 'registered' } as const),
    emitUnregistered: emit({ type: 'unregistered' } as const),
    emitRequestError: emit((_, params: { error: unknown; operation: DeviceOperation }) => ({
      type: 'error',
      error: toVoiceSDKError(params.error),
      operation: params.operation,
    }) as const),
    emitUnchanged: emit((_, params: { operation: DeviceOperation }) => ({ type: 'unchanged', operation: params.operation }) as const),
    emitJoined: emit((_, params: { operation: DeviceOperation }) => ({ type: 'joined', operation: params.operation }) as const),
    /** Spawns the call actors of `calls` (one CALL, or the queue once the transport is up) and empties the queue. */
    startCalls: enqueueActions(({ context, enqueue, self }, params: { calls: QueuedCall[] }) => {
      for (const { callId, request } of params.calls) {
        const port = context.ua.createCall({ ...request, ...microphoneOf(context) });
        enqueue.spawnChild('callMachine', { id: callId, input: { ...context.call, port, device: self, video: request.video === true } });
        enqueue.emit({ type: 'call-started', callId });
      }
      const live = { ...context.liveCalls };
      for (const { callId } of params.calls) live[callId] = 'pending';
      enqueue.assign({ queuedCalls: [], liveCalls: live });
    }),
    /** Calls made from now on open microphone `deviceId`; the live ones are told (a ringing one answers with it). */
    chooseInputDevice: enqueueActions(({ context, enqueue, self }, params: { deviceId: string }) => {
      enqueue.assign({ call: { ...context.call, inputDeviceId: params.deviceId } });
      for (const call of liveCallActors(self.getSnapshot()?.children ?? {})) enqueue.sendTo(call, { type: 'INPUT_DEVICE_CHOSEN', deviceId: params.deviceId });
    }),
    /** Calls play on output `deviceId` from the start from now on; the live ones are told (one not accepted moves there). */
    chooseOutputDevice: enqueueActions(({ context, enqueue, self }, params: { deviceId: string }) => {
      enqueue.assign({ call: { ...context.call, outputDeviceId: params.deviceId } });
      for (const call of liveCallActors(self.getSnapshot()?.children ?? {})) enqueue.sendTo(call, { type: 'OUTPUT_DEVICE_CHOSEN', deviceId: params.deviceId });
    }),
    /** `connect()` beyond `maxCalls`: refused, nothing sent. */
    refuseCall: emit(({ context }, params: QueuedCall) => ({
      type: 'call-failed',
      callId: params.callId,
      error: new VoiceSDKError('invalid-state', `connect() needs a free line: ${context.policy.maxCalls} calls are up (maxCalls)`),
    }) as const),
    queueCall: assign({ queuedCalls: ({ context }, params: QueuedCall) => [...context.queuedCalls, params] }),
    /** The transport gave up: every queued call fails with its error. */
    failQueuedCalls: enqueueActions(({ context, enqueue }, params: { error: VoiceSDKError }) => {
      for (const { callId } of context.queuedCalls) enqueue.emit({ type: 'call-failed', callId, error: params.error });
      enqueue.assign({ queuedCalls: [] });
    }),
    spawnInboundCall: enqueueActions(({ context, enqueue, self }, params: { port: CallPort }) => {
      const replaces = params.port.replaces === undefined ? {} : { replaces: params.port.replaces };
      const othersTalking = Object.values(context.liveCalls).includes('accepted');
      enqueue.spawnChild('callMachine', { id: params.port.id, input: { ...context.call, ...replaces, othersTalking, port: params.port, device: self } });
      enqueue.assign({ liveCalls: { ...context.liveCalls, [params.port.id]: 'pending' } });
    }),
    /** The policy refused the call: 486 Busy Here (481 for a Replaces naming no call of ours), and nothing is surfaced. */
    refuseIncoming: (_, params: { port: CallPort; status?: number }) => {
      const { port } = params;
      port.reject(params.status ?? BUSY_STATUS).then(
        () => port.dispose(),
        () => port.dispose(),
      );
    },
    noteCallStatus: assign({
      liveCalls: ({ context }, params: { callId: string; status: 'accepted' | 'ended' }) => {
        const { [params.callId]: known, ...others } = context.liveCalls;
        if (known === undefined) return context.liveCalls;
        return params.status === 'ended' ? others : { ...context.liveCalls, [params.callId]: 'accepted' as const };
      },
    }),
    /** A call was accepted or ended: the calls still ringing hear whether another one is accepted now (call-waiting tone or ringtone). */
    tellOthersTalking: enqueueActions(({ context, enqueue, self }) => {
      const talking = Object.values(context.liveCalls).includes('accepted');
      for (const call of liveCallActors(self.getSnapshot()?.children ?? {})) enqueue.sendTo(call, { type: 'OTHERS_TALKING', talking });
    }),
    /** A referred call was accepted or ended: the call whose REFER it follows is told (once: the referral is over). */
    tellReferringCall: enqueueActions(({ context, enqueue, self }, params: { callId: string; status: 'accepted' | 'ended' }) => {
      const { [params.callId]: referringId, ...others } = context.referrals;
      if (referringId === undefined) return;
      enqueue.assign({ referrals: others });
      // The referring call may have ended meanwhile (and been let go).
      const referring = self.getSnapshot()?.children[referringId] as AnyActorRef | undefined;
      if (referring !== undefined) {
        enqueue.sendTo(referring, { type: params.status === 'accepted' ? 'REFERRED_CALL_ACCEPTED' : 'REFERRED_CALL_ENDED' });
      }
    }),
    /**
     * Places the call that follows the REFER `callId` accepted (the user
     * agent builds it from that REFER) and tells that call its id; a call
     * that cannot be built is told so.
     */
    followRefer: enqueueActions(({ context, enqueue, self }, params: { callId: string }) => {
      const referring = self.getSnapshot()?.children[params.callId] as AnyActorRef | undefined;
      if (referring === undefined) return;
      let port: CallPort;
      try {
        port = context.ua.createReferredCall((referring.getSnapshot() as CallSnapshot).context.port, microphoneOf(context));
      } catch (error) {
        enqueue.sendTo(referring, { type: 'REFER_NOT_FOLLOWED', error: toVoiceSDKError(error) });
        return;
      }
      enqueue.spawnChild('callMachine', { id: port.id, input: { ...context.call, port, device: self } });
      enqueue.assign({
        liveCalls: { ...context.liveCalls, [port.id]: 'pending' },
        referrals: { ...context.referrals, [port.id]: params.callId },
      });
      enqueue.sendTo(referring, { type: 'REFER_FOLLOWED', callId: port.id });
    }),
    /** The call that replaces `replacedId` was accepted: that one ends. */
    endReplacedCall: enqueueActions(({ enqueue, self }, params: { replacedId: string }) => {
      const replaced = self.getSnapshot()?.children[params.replacedId] as AnyActorRef | undefined;
      if (replaced !== undefined) enqueue.sendTo(replaced, { type: 'REPLACED' });
    }),
    /** Starts holding the accepted calls other than `callId` that are not on hold; the actor answers the requester. */
    holdOthers: enqueueActions(({ context, enqueue, self }, params: { callId: string }) => {
      const request = holdOthersRequest(self.getSnapshot()?.children ?? {}, params.callId);
      if (request === undefined) return;
      const id = `hold-others.${context.holdRequests + 1}`;
      enqueue.assign({ holdRequests: context.holdRequests + 1 });
      enqueue.spawnChild('holdOthersActor', { id, input: request });
    }),
    emitIncoming: emit((_, params: { port: CallPort }) => ({ type: 'incoming', callId: params.port.id }) as const),
    /** Tells every live call (`DEVICE_DESTROYED`, the socket's `SOCKET_DOWN` / `SOCKET_UP`, `NETWORK_CHANGED`); pure traversals have no snapshot. */
    tellCalls: enqueueActions(({ enqueue, self }, params: { type: 'DEVICE_DESTROYED' | 'SOCKET_DOWN' | 'SOCKET_UP' | 'NETWORK_CHANGED' }) => {
      for (const call of liveCallActors(self.getSnapshot()?.children ?? {})) enqueue.sendTo(call, { type: params.type });
    }),
    /** A call actor reached its final state: the device lets go of it (its facade keeps the ended snapshot). */
    releaseCall: stopChild((_, params: { callId: string }) => params.callId),
    emitDestroyed: emit({ type: 'destroyed' } as const),
  },
});
