// The page side of long-lived page measurements (test/e2e/long-lived.e2e.test.ts
// and `npm run bench`): `installLongLived` runs in an SDK page (e2e/pages/sdk,
// best as an init script, before the SDK loads) and puts `window.longLived`
// there — one Device, calls placed and hung up in the page, and what the page
// still reaches of ended calls through WeakRefs (peer connections, microphone
// tracks, <audio> elements), which keep nothing alive themselves. Heap and
// detached DOM nodes come from CDP.
import type { CDPSession } from 'playwright-core';
import { pageApi } from './browser.js';

/** What a page still holds; `alive` counts are of objects still reachable (their WeakRef not cleared). */
export interface Holdings {
  peerConnectionsCreated: number;
  peerConnectionsAlive: number;
  peerConnectionsOpen: number;
  tracksCreated: number;
  tracksAlive: number;
  tracksLive: number;
  audioElementsCreated: number;
  audioElementsAlive: number;
  /** Reachable <audio> elements not in the document. */
  audioElementsDetached: number;
  deviceChildren: number;
  deviceCalls: number;
}

export interface LongLivedApi {
  createDevice(options: Record<string, unknown>, answer: boolean): Promise<void>;
  /** `count` calls to `to`, one after another: each hung up as soon as it is accepted. Milliseconds per call. */
  callMany(to: string, count: number): Promise<number[]>;
  /** Calls the device answered (bob). */
  answered(): number;
  holdings(): Holdings;
  /** One call to `to` kept up (resolves once accepted); its events are recorded as `call:TYPE`. */
  placeCall(to: string): Promise<void>;
  /** Hangs up the call placeCall() made. */
  hangUp(): Promise<void>;
  /** Device events and the held call's (`call:reconnecting`, `call:reconnected` …), page time `at`. */
  events(): Array<{ type: string; at: number }>;
  now(): number;
  destroy(): Promise<void>;
}

/** The page side, an init script (runs before the SDK module): serialised, it may use nothing from this module but types. */
export function installLongLived(): void {
  type Sdk = typeof import('../../src/index.js');
  const page = window as unknown as { callchart?: Sdk; longLived?: LongLivedApi };
  const peerConnections: Array<WeakRef<RTCPeerConnection>> = [];
  const tracks: Array<WeakRef<MediaStreamTrack>> = [];
  const audioElements: Array<WeakRef<HTMLElement>> = [];

  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args, newTarget) {
      const peerConnection = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
      peerConnections.push(new WeakRef(peerConnection));
      return peerConnection;
    },
  });
  const mediaDevices = navigator.mediaDevices;
  const nativeGetUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
  mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await nativeGetUserMedia(constraints);
    for (const track of stream.getTracks()) tracks.push(new WeakRef(track));
    return stream;
  };
  const nativeCreateElement = document.createElement.bind(document);
  document.createElement = ((tagName: string, options?: ElementCreationOptions) => {
    const element = nativeCreateElement(tagName, options);
    if (tagName.toLowerCase() === 'audio') audioElements.push(new WeakRef(element));
    return element;
  }) as typeof document.createElement;

  let device: InstanceType<Sdk['Device']> | undefined;
  let answered = 0;
  let held: InstanceType<Sdk['Call']> | undefined;
  const events: Array<{ type: string; at: number }> = [];
  const record = (type: string) => events.push({ type, at: performance.now() });
  const alive = <T extends object>(refs: Array<WeakRef<T>>): T[] => refs.map((ref) => ref.deref()).filter((x): x is T => x !== undefined);

  page.longLived = {
    async createDevice(options, answer) {
      const sdk = page.callchart!;
      device = new sdk.Device(options as unknown as ConstructorParameters<Sdk['Device']>[0]);
      for (const type of ['registered', 'registering', 'disconnected', 'connected', 'reconnecting'] as const) device.on(type, () => record(type));
      if (answer) {
        device.on('incoming', (call) => {
          answered += 1;
          call.accept().catch(() => undefined);
        });
      }
      await device.register();
    },
    async callMany(to, count) {
      const took: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const started = performance.now();
        const call = await device!.connect({ to });
        await new Promise<void>((resolve, reject) => {
          call.on('accepted', () => resolve());
          call.on('disconnect', ({ reason }) => reject(new Error(`call ${i} ended before it was accepted: ${reason}`)));
        });
        await call.disconnect();
        took.push(performance.now() - started);
      }
      return took;
    },
    answered: () => answered,
    async placeCall(to) {
      const call = await device!.connect({ to });
      held = call;
      for (const type of ['accepted', 'reconnecting', 'reconnected', 'disconnect', 'error'] as const) call.on(type, () => record(`call:${type}`));
      await new Promise<void>((resolve, reject) => {
        call.on('accepted', () => resolve());
        call.on('disconnect', ({ reason }) => reject(new Error(`the call ended before it was accepted: ${reason}`)));
      });
    },
    async hangUp() {
      await held?.disconnect();
      held = undefined;
    },
    events: () => [...events],
    now: () => performance.now(),
    holdings() {
      const pcs = alive(peerConnections);
      const liveTracks = alive(tracks);
      const audio = alive(audioElements);
      return {
        peerConnectionsCreated: peerConnections.length,
        peerConnectionsAlive: pcs.length,
        peerConnectionsOpen: pcs.filter((pc) => pc.connectionState !== 'closed').length,
        tracksCreated: tracks.length,
        tracksAlive: liveTracks.length,
        tracksLive: liveTracks.filter((track) => track.readyState === 'live').length,
        audioElementsCreated: audioElements.length,
        audioElementsAlive: audio.length,
        audioElementsDetached: audio.filter((element) => !element.isConnected).length,
        deviceChildren: Object.keys(device?.actor.getSnapshot().children ?? {}).length,
        deviceCalls: device?.calls.length ?? 0,
      };
    },
    async destroy() {
      await device?.destroy();
      device = undefined;
    },
  };
}

export const longLived = pageApi<LongLivedApi>('longLived');

/** Heap in use after a forced GC (twice: the first can leave finalisers' garbage). */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize;
}

/** Detached DOM nodes still reachable after a GC (CDP DOM.getDetachedDomNodes, where this Chromium has it). */
export async function detachedDomNodes(cdp: CDPSession): Promise<number | 'n/a'> {
  try {
    await cdp.send('DOM.enable');
    await heapAfterGc(cdp);
    const { detachedNodes } = (await cdp.send('DOM.getDetachedDomNodes' as 'DOM.enable')) as unknown as { detachedNodes: unknown[] };
    return detachedNodes.length;
  } catch {
    return 'n/a';
  }
}


/**
 * installLongLived as init-script source. Runners that transpile with
 * esbuild's keepNames (tsx) wrap functions in `__name(...)` calls, which do
 * not exist in the page: a no-op one is defined first.
 */
export function longLivedInitScript(): { content: string } {
  return { content: `var __name = (target) => target;\n(${installLongLived.toString()})();` };
}
