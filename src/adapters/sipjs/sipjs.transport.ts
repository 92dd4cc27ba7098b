/**
 * SIP.js's WebSocket transport, pointed at a server chosen at `connect()`
 * time. SIP.js fixes the server when the user agent is built; the device
 * machine picks the next server from its list on every reconnect, so the
 * target here is a property the adapter sets before each connect. One user
 * agent (and its registerer and dialogs) survives a change of server.
 *
 * It also carries the keep-alive (a CRLFCRLF ping out, a CRLF pong in: RFC
 * 5626 §4.4.1; Kamailio's websocket module answers it) and keeps hostile
 * input out of SIP.js: a frame that is no SIP message is dropped, and a
 * message SIP.js throws on never leaves the transport (SIP.js rethrows it
 * from the WebSocket's message handler, uncaught in the page). Either is
 * logged at most once per interval, truncated and escaped.
 */
import { TransportState } from 'sip.js/lib/api/transport-state.js';
import type { Core } from 'sip.js';
// By path, not through the `Web` namespace (tree-shaking; see sdh.ts).
import { Transport } from 'sip.js/lib/platform/web/transport/transport.js';
import type { TransportOptions } from 'sip.js/lib/platform/web/transport/transport-options.js';
import type { Unsubscribe } from '../adapter';
import { ListenerSet } from '../listeners';

/** A syntactically valid server to construct with; never dialled. */
export const UNSET_SERVER = 'wss://unset.invalid';

/** At most one "dropped a message" line per this many ms. */
export const DROPPED_LOG_INTERVAL_MS = 10_000;

/** How much of a dropped message the log shows. */
const PREVIEW_CHARACTERS = 80;

/** A SIP start line: `SIP/2.0 200 OK` or `INVITE sip:… SIP/2.0`. */
const START_LINE = /^(SIP\/2\.0 [1-6]\d\d[ \r]|[A-Za-z]+ \S+ SIP\/2\.0\r?\n)/;

/** A CRLF keep-alive answer: nothing but line breaks. */
const PONG = /^(\r\n)+$/;

export class RetargetableTransport extends Transport {
  private target: string = UNSET_SERVER;
  readonly #pongs = new ListenerSet<void>();
  readonly #droppedLog = new DroppedMessageLog();
  #handler: ((message: string) => void) | undefined;

  constructor(logger: Core.Logger, options?: TransportOptions) {
    super(logger, options);
    // SIP.js sets `onMessage` once, from the user agent; every message goes through the guard.
    Object.defineProperty(this, 'onMessage', {
      get: () => (this.#handler === undefined ? undefined : this.guarded),
      set: (handler: ((message: string) => void) | undefined) => {
        this.#handler = handler;
      },
    });
    this.stateChange.addListener((state) => {
      if (state === TransportState.Connected) this.listenForPongs();
    });
  }

  /** The server the next `connect()` opens. */
  override get server(): string {
    return this.target;
  }

  /** Via sent-protocol, following the current target (WS or WSS). */
  override get protocol(): string {
    return this.target.toLowerCase().startsWith('wss:') ? 'WSS' : 'WS';
  }

  /** Sets the server for the next `connect()`; only while disconnected. */
  retarget(server: string): void {
    this.target = server;
  }

  /** Sends a CRLFCRLF keep-alive; nothing when the socket is not open. */
  ping(): void {
    if (!this.isConnected()) return;
    this.send('\r\n\r\n').catch(() => undefined);
  }

  /** Called for each CRLF keep-alive answer. */
  onPong(listener: () => void): Unsubscribe {
    return this.#pongs.add(listener);
  }

  /**
   * Gives up an open socket the device holds dead (no answer to a ping):
   * the transport is disconnected at once, without waiting for a close
   * handshake a dead peer never completes. Reported like any unexpected close.
   */
  abandon(): void {
    const ws = this.ws;
    if (ws === undefined || !this.isConnected()) return;
    // SIP.js's own close handler (private in its types): clears the socket and moves to Disconnected.
    (this as unknown as { onWebSocketClose(event: { code: number }, ws: WebSocket): void }).onWebSocketClose({ code: 4000 }, ws);
    try {
      ws.close(4000, 'keep-alive unanswered');
    } catch {
      // closed already
    }
  }

  private readonly guarded = (message: string): void => {
    if (!START_LINE.test(message)) {
      this.#droppedLog.note(message, 'is not a SIP message');
      return;
    }
    try {
      this.#handler?.(message);
    } catch (error) {
      this.#droppedLog.note(message, `could not be handled (${error instanceof Error ? error.name : 'error'})`);
    }
  };

  private listenForPongs(): void {
    const ws = this.ws;
    ws?.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (ws === this.ws && typeof event.data === 'string' && PONG.test(event.data)) this.#pongs.emit();
    });
  }
}

/** Logs dropped messages at most once per interval, each shown truncated and escaped. */
export class DroppedMessageLog {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #write: (line: string) => void;
  #lastLoggedAt = Number.NEGATIVE_INFINITY;
  #unlogged = 0;

  constructor(options: { intervalMs?: number; now?: () => number; write?: (line: string) => void } = {}) {
    this.#intervalMs = options.intervalMs ?? DROPPED_LOG_INTERVAL_MS;
    this.#now = options.now ?? (() => Date.now());
    this.#write = options.write ?? ((line) => console.warn(line));
  }

  note(message: string, why: string): void {
    const now = this.#now();
    if (now - this.#lastLoggedAt < this.#intervalMs) {
      this.#unlogged += 1;
      return;
    }
    const more = this.#unlogged > 0 ? ` (${this.#unlogged} more dropped since the last report)` : '';
    this.#lastLoggedAt = now;
    this.#unlogged = 0;
    this.#write(`[callchart sip] dropped a message from the server that ${why}: "${previewOf(message)}"${more}`);
  }
}

/** The start of `text`, printable ASCII only (everything else escaped), at most `max` characters shown. */
export function previewOf(text: string, max = PREVIEW_CHARACTERS): string {
  let shown = '';
  let used = 0;
  for (const c of text) {
    const escaped = escapeCharacter(c);
    if (shown.length + escaped.length > max) break;
    shown += escaped;
    used += c.length;
  }
  return used < text.length ? `${shown}... (${text.length} characters)` : shown;
}

function escapeCharacter(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  if (c === '\\') return '\\\\';
  if (c === '"') return '\\"';
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f ? c : `\\u{${code.toString(16)}}`;
}
