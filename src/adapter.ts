/**
 * `callchart/adapter`: the port, for people writing their own adapter (a
 * transport other than SIP.js, a recording proxy, a wrapper that logs).
 * An adapter is an {@link AdapterFactory}: `new Device({ adapter })` calls it
 * once with a {@link UserAgentConfig} and drives the {@link UserAgentPort} it
 * returns. {@link createSipJsAdapter} is the default one (SIP.js + WebRTC),
 * exported here so that a wrapper can delegate to it.
 *
 * The port reports facts and takes commands; every decision stays in the
 * statecharts. Not covered by semver before 1.0: the port may change in a
 * minor version (see CHANGELOG.md).
 *
 * @packageDocumentation
 */
export type * from './adapters/adapter';
export { createSipJsAdapter } from './adapters/sipjs';
