/**
 * callchart: browser calls over SIP/WebSocket + WebRTC, decided by XState
 * statecharts. This entry is what apps use: {@link Device}, {@link Call},
 * {@link VoiceSDKError}, the statecharts and the public types. Tests use
 * `callchart/testing`; people writing their own adapter use `callchart/adapter`.
 *
 * @packageDocumentation
 */
export { Device } from './device';
export type { DeviceOptions, ConnectOptions, DeviceEvents, ReconnectingInfo, DeviceActorRef, Inspector } from './device';
export type { AudioDeviceInfo, AudioDeviceLists, AudioDeviceLost, DeviceAudio, DeviceAudioEvents } from './audio';
export type { SoundName, UrlSoundName, SoundOptions, SoundPlay, SoundPlayer, SoundRequest } from './sounds/sounds';
export { Call } from './call';
export type {
  AcceptOptions,
  CallEvents,
  DisconnectInfo,
  CallActorRef,
  HoldOthersOptions,
  InfoChange,
  QualityWarning,
  ReceivedDtmf,
  ReferredInfo,
  SetInfoOptions,
  CallInfoUpdate,
  SipJsSession,
  TransferProgress,
  TransferRequest,
  TransferRequestPolicy,
} from './call';
export type { CallInfo } from './sip/identity';
export type { CallTimer } from './machines/call.timing';
export { VoiceSDKError, isVoiceSDKError } from './errors';
export type { VoiceSDKErrorCode, VoiceSDKErrorOptions } from './errors';
export { callMachine, callStatus } from './machines/call.machine';
export type { CallSnapshot } from './machines/call.machine';
export type { CallStatus, CallDirection, DisconnectReason, ReconnectCause, TransferState } from './machines/call.types';
export { deviceMachine, deviceState, transportState } from './machines/device.machine';
export type { DeviceSnapshot, DeviceState, TransportState } from './machines/device.machine';
export type { ReconnectPolicy } from './machines/device.types';
export type {
  QualitySample,
  VideoQuality,
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
// The types of options and events above that come from the port.
export type { AdapterFactory, DtmfMethod, EndReason, MediaDirection } from './adapters/adapter';
