/**
 * The default adapter: SIP over WebSocket with SIP.js 0.21, media with the
 * browser's WebRTC. The only place in callchart that imports sip.js.
 */
import type { AdapterFactory } from '../adapter';
import { SipJsUserAgent } from './sipjs.user-agent';

/** Creates the SIP.js user agent for one Device. */
export const createSipJsAdapter: AdapterFactory = (config) => new SipJsUserAgent(config);

