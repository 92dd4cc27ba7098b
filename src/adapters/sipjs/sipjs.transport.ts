/**
 * SIP.js's WebSocket transport, pointed at a server chosen at `connect()`
 * time. SIP.js fixes the server when the user agent is built; the device
 * machine picks the next server from its list on every reconnect, so the
 * target here is a property the adapter sets before each connect. One user
 * agent (and its registerer and dialogs) survives a change of server.
 */
// By path, not through the `Web` namespace (tree-shaking; see sdh.ts).
import { Transport } from 'sip.js/lib/platform/web/transport/transport.js';

/** A syntactically valid server to construct with; never dialled. */
export const UNSET_SERVER = 'wss://unset.invalid';

export class RetargetableTransport extends Transport {
  private target: string = UNSET_SERVER;

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
}
