// The one init script every SDK lab page gets first (calls-helpers,
// video-helpers, lifecycle-helpers): it wraps WebSocket, RTCPeerConnection,
// getUserMedia and AudioContext so that the labs see what the SDK opens and
// sends, and puts what it saw, with the small helpers the labs share, on
// `window.__callchartLab`. Playwright serialises each init script on its own
// (they cannot import each other), so a lab reads this registry from `window`
// in the page; init scripts run in the order they were added.
import type { Page } from 'playwright-core';
import type { E2EBrowser } from '../../../e2e/harness/index.js';

export interface ErrorInfo {
  name: string;
  code?: string;
  status?: number;
  message: string;
}

/** How a page-side call settled, and how long it took (ms). */
export type Outcome = ({ ok: true } | { ok: false; error: ErrorInfo }) & { ms: number };

/** window.__callchartLab */
export interface PageRegistry {
  /** Every RTCPeerConnection the page created. */
  peerConnections: RTCPeerConnection[];
  /** Every track getUserMedia handed out. */
  tracks: MediaStreamTrack[];
  /** Every WebSocket the page opened. */
  sockets: WebSocket[];
  /** Text frames sent / received on those sockets, oldest first. */
  sent: string[];
  received: string[];
  /** Every AudioContext the page created (the SDK's sounds run in them). */
  audioContexts: AudioContext[];
  /** Every oscillator made in them, oldest first (a generated tone is one per frequency). */
  oscillators: OscillatorNode[];
  errorInfo(error: unknown): ErrorInfo;
  /** Runs `run` and says how it settled. */
  timed(run: () => unknown): Promise<Outcome>;
  /** The same for a synchronous `run`. */
  timedSync(run: () => unknown): Outcome;
  /** `value`, or an Error saying there is no `what`. */
  need<T>(value: T | undefined, what: string): T;
}

/** The page side. Serialised by Playwright: it may use nothing from this module but types. */
export function installPageWrappers(): void {
  /** `Native`, but every instance made with `new` is pushed on `list` (and handed to `onCreate`). */
  const recording = <C extends abstract new (...args: never[]) => object>(
    Native: C,
    list: InstanceType<C>[],
    onCreate?: (instance: InstanceType<C>) => void,
  ): C =>
    new Proxy(Native, {
      construct(target, args, newTarget) {
        const instance = Reflect.construct(target, args, newTarget) as InstanceType<C>;
        list.push(instance);
        onCreate?.(instance);
        return instance;
      },
    });

  const sent: string[] = [];
  const received: string[] = [];
  const sockets: WebSocket[] = [];
  const NativeSocket = window.WebSocket;
  const nativeSend = NativeSocket.prototype.send;
  NativeSocket.prototype.send = function send(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    if (typeof data === 'string') sent.push(data);
    return nativeSend.call(this, data);
  };
  window.WebSocket = recording(NativeSocket, sockets, (socket) =>
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data === 'string') received.push(event.data);
    }),
  );

  const peerConnections: RTCPeerConnection[] = [];
  window.RTCPeerConnection = recording(window.RTCPeerConnection, peerConnections);

  const tracks: MediaStreamTrack[] = [];
  const mediaDevices = navigator.mediaDevices;
  const nativeGetUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
  mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await nativeGetUserMedia(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  };

  const audioContexts: AudioContext[] = [];
  window.AudioContext = recording(window.AudioContext, audioContexts);
  const oscillators: OscillatorNode[] = [];
  const nativeCreateOscillator = BaseAudioContext.prototype.createOscillator;
  BaseAudioContext.prototype.createOscillator = function createOscillator(this: BaseAudioContext) {
    const node = nativeCreateOscillator.call(this);
    oscillators.push(node);
    return node;
  };

  const errorInfo = (error: unknown): ErrorInfo => {
    const e = error as { name?: string; code?: string; status?: number; message?: string };
    return {
      name: String(e?.name ?? 'Error'),
      message: String(e?.message ?? error),
      ...(e?.code === undefined ? {} : { code: e.code }),
      ...(e?.status === undefined ? {} : { status: e.status }),
    };
  };
  const registry: PageRegistry = {
    peerConnections,
    tracks,
    sockets,
    sent,
    received,
    audioContexts,
    oscillators,
    errorInfo,
    async timed(run) {
      const started = performance.now();
      try {
        await run();
        return { ok: true, ms: performance.now() - started };
      } catch (error) {
        return { ok: false, error: errorInfo(error), ms: performance.now() - started };
      }
    },
    timedSync(run) {
      const started = performance.now();
      try {
        run();
        return { ok: true, ms: performance.now() - started };
      } catch (error) {
        return { ok: false, error: errorInfo(error), ms: performance.now() - started };
      }
    },
    need(value, what) {
      if (value === undefined) throw new Error(`no ${what}`);
      return value;
    },
  };
  (window as unknown as { __callchartLab: PageRegistry }).__callchartLab = registry;
}

/**
 * Opens one page (own browser context) per name with the wrappers and then
 * `installLab` added as init scripts, so both run before the SDK module:
 * openPages() has loaded the page already, hence the reload. Resolves once
 * the SDK is loaded and `window[labGlobal]` is set.
 */
export async function openPagesWithLab<N extends string>(
  browser: E2EBrowser,
  names: readonly N[],
  url: string,
  installLab: () => void,
  labGlobal: string,
): Promise<Record<N, Page>> {
  const pages = await browser.openPages(names, url, { readyExpression: 'window.callchartReady' });
  await Promise.all(
    Object.values<Page>(pages).map(async (page) => {
      await page.addInitScript(installPageWrappers);
      await page.addInitScript(installLab);
      await page.reload();
      await page.waitForFunction(`window.callchartReady === true && window.${labGlobal} !== undefined`, undefined, { timeout: 15_000 });
    }),
  );
  return pages;
}
