// The e2e harness: Kamailio (and the rtpengine gateway with baresip phones), a static web server, Chromium, packet capture and
// the network-namespace guard. See e2e/README.md.
export * from './browser.js';
export * from './capture.js';
export * from './dist.js';
export * from './kamailio.js';
export * from './netns.js';
export * from './process.js';
export * from './relay.js';
export * from './server.js';
export * from './users.js';
export * from './baresip.js';
export * from './gateway.js';
export * from './rtpengine.js';
export * from './sip-udp.js';
export * from './rig.js';
export * from './udp-cut.js';
export * from './jssip.js';
