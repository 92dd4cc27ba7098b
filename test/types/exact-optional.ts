/**
 * Compiled by check-types.mjs only in its `exactOptionalPropertyTypes`
 * setups (never run): what apps write with possibly-undefined values, which
 * must compile there as it does without the flag.
 */
import { Device } from 'callchart';
import { createFakeNetwork } from 'callchart/testing';

// The fake network's classes implement the port (`FakeCallPort`'s optional `replaces`).
const network = createFakeNetwork();
export const device = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', adapter: network.adapter });
