/**
 * Compiled by check-types.mjs only in its `exactOptionalPropertyTypes`
 * setups (never run): what apps write with possibly-undefined values, which
 * must compile there as it does without the flag.
 */
import { Device, type Call } from 'callchart';
import { openViewerWindow } from 'callchart/devtools';
import { createFakeNetwork } from 'callchart/testing';

// The fake network's classes implement the port (`FakeCallPort`'s optional `replaces`).
const network = createFakeNetwork();
export const device = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', adapter: network.adapter });

// The README's devtools example: `openViewerWindow()` is `undefined` when the popup was blocked.
const viewer = openViewerWindow();
export const inspected = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', inspect: viewer?.inspect });

// call.setInfo: `undefined` removes a field, under exactOptionalPropertyTypes too.
export function clearAvatar(call: Call): void {
  call.setInfo({ avatar: undefined, company: 'Acme' });
}
