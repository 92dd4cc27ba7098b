/**
 * `callchart/devtools`: a live statechart viewer that works offline, in the
 * same page (`mountViewer(el).inspect`) or in another window
 * (`createInspector()` here, `mountViewer(el, { channel })` there).
 * Charts are drawn from the machines' own definitions, and payloads are
 * scrubbed of credentials before they are shown or sent. A separate entry:
 * `callchart` does not pull it in.
 *
 * @packageDocumentation
 */
export { mountViewer, openViewerWindow } from './viewer';
export type { Viewer, ViewerOptions, ViewerWindowOptions } from './viewer';
export { createInspector, DEFAULT_CHANNEL } from './inspector';
export type { Inspector, InspectorOptions } from './inspector';
export { toMessage, parseMessage, VIEWER_HELLO } from './protocol';
export type { InspectorMessage, ActorMessage, SnapshotMessage, EventMessage } from './protocol';
export { InspectionStore } from './store';
export type { InspectedActor, TimelineEntry, StoreOptions } from './store';
export { chartTree, chartDefinition, activePaths } from './tree';
export type { ChartNode, ChartNodeType, ChartDefinition } from './tree';
export { scrub, scrubText, isSecretKey, REDACTED } from './scrub';
export type { ScrubLimits } from './scrub';
