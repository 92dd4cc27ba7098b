/** callchart: browser calls over SIP/WebSocket + WebRTC, decided by XState statecharts. */
export { Device } from './device';
export type { DeviceOptions, ConnectOptions, DeviceEvents, ReconnectingInfo, DeviceActorRef } from './device';
export { Call } from './call';
export type { CallEvents, DisconnectInfo, CallActorRef, QualityWarning } from './call';
export { VoiceSDKError, isVoiceSDKError } from './errors';
export type { VoiceSDKErrorCode, VoiceSDKErrorOptions } from './errors';
export { callMachine, callStatus } from './machines/call.machine';
export type { CallSnapshot } from './machines/call.machine';
export type { CallStatus, CallDirection, DisconnectReason, CallEvent, CallEmitted, CallContext } from './machines/call.types';
export { deviceMachine, deviceState, transportState } from './machines/device.machine';
export type { DeviceSnapshot, DeviceState, TransportState } from './machines/device.machine';
export type { DeviceEvent, DeviceEmitted, ReconnectPolicy } from './machines/device.types';
export type {
  QualitySample,
  CandidateType,
  WarningName,
  QualityWarningOptions,
  QualityThresholds,
  WarningThreshold,
  RaiseRule,
  ClearRule,
} from './quality/quality.types';
export type { CallReport, MetricSummary, WarningEpisode } from './quality/report';
export { DEFAULT_QUALITY_THRESHOLDS, DEFAULT_GRACE_PERIOD_MS } from './quality/warnings';
export { estimateMos, rFactor, mosFromR } from './quality/mos';
export { warningMachine } from './quality/warning.machine';
export type {
  AdapterFactory,
  UserAgentPort,
  CallPort,
  CallFact,
  CallFactType,
  MediaDirection,
  UserAgentConfig,
  InviteRequest,
  RecorderPort,
  DtmfMethod,
  DtmfOptions,
  EndReason,
} from './adapters/adapter';
export { createSipJsAdapter } from './adapters/sipjs';
