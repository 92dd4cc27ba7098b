/**
 * The warning catalogue: which metric each warning watches, its default
 * threshold and rules, and when it is suppressed. `warningEvents` turns each
 * quality sample into the events for the per-warning actors
 * (`warning.machine.ts`); `resolveWarningInputs` gives their inputs.
 *
 * | warning                     | metric (unit)                        | bad when      | clears at | raise  | clear   | suppressed          |
 * | --------------------------- | ------------------------------------ | ------------- | --------- | ------ | ------- | ------------------- |
 * | `high-rtt`                  | `rttMs` (ms)                         | > 400         | ≤ 350     | 3 of 5 | 3 good  | grace               |
 * | `high-jitter`               | `jitterMs` (ms)                      | > 30          | ≤ 25      | 3 of 5 | 3 good  | grace, hold         |
 * | `high-inbound-packet-loss`  | `inboundLoss` (0..1)                 | > 0.03        | ≤ 0.02    | 3 of 5 | 3 good  | grace, hold         |
 * | `high-outbound-packet-loss` | `outboundLoss` (0..1)                | > 0.03        | ≤ 0.02    | 3 of 5 | 3 good  | grace, hold         |
 * | `low-mos`                   | `mosEstimate` (1..4.5)               | < 3.5         | ≥ 3.6     | 3 of 5 | 3 good  | grace, hold         |
 * | `silent-microphone`         | `inputAudioEnergyDelta`              | < 1e-9        | ≥ 1e-9    | 5 of 5 | 3 good  | grace, hold, muted  |
 * | `no-inbound-audio`          | `inboundAudioEnergyDelta` *          | < 1e-9        | ≥ 1e-9    | 5 of 5 | 3 good  | grace, hold         |
 * | `ice-disconnected`          | ICE state disconnected/failed → 1    | > 0           | ≤ 0       | 1 of 1 | 1 good  | never               |
 *
 * \* judged only while packets arrive (`inboundBitrateKbps` > 0): no packets
 * at all is a network problem that the loss and ICE warnings report.
 *
 * Why these numbers:
 * - RTT 400 ms is a one-way delay near 200 ms, where G.114 says conversation
 *   starts to suffer and the E-model's Idd starts to bite.
 * - Jitter 30 ms and loss 3 % are the usual VoIP planning limits; Opus and
 *   G.711 with concealment stay intelligible below them.
 * - MOS 3.5 is the E-model's "some users dissatisfied" boundary (R ≈ 70,
 *   G.109).
 * - Energy 1e-9 per interval is one least-significant bit of 16-bit audio
 *   (audioLevel ≈ 3e-5, about −90 dBFS) held for a second: a live microphone
 *   never gets that quiet, even in a silent room; a dead or hardware-muted one
 *   sends exact zeros. It takes five silent seconds to say so, so a pause in
 *   speech never raises it. A remote party who mutes by disabling their
 *   track also sends silence, and raises `no-inbound-audio`.
 * - ICE disconnection is already debounced by the browser (several seconds
 *   without consent responses), so one sample is enough.
 * - Grace period 5 s: the jitter buffer and bandwidth estimate settle and
 *   the first RTCP report (the real RTT, the outbound loss) arrives in the
 *   first seconds of a call.
 * - On hold no audio flows, so audio metrics mean nothing; RTT is still
 *   measured (RTCP and ICE keep running). Muted, the microphone is silent by
 *   design.
 */
import { VoiceSDKError } from '../errors';
import type {
  CallFacts,
  QualitySample,
  QualityThresholds,
  QualityWarningOptions,
  WarningComparison,
  WarningName,
  WarningThreshold,
} from './quality.types';
import type { WarningEvent, WarningMachineInput } from './warning.machine';

/** Every warning, in catalogue order. */
export const WARNING_NAMES: readonly WarningName[] = [
  'high-rtt',
  'high-jitter',
  'high-inbound-packet-loss',
  'high-outbound-packet-loss',
  'low-mos',
  'silent-microphone',
  'no-inbound-audio',
  'ice-disconnected',
];

/** Default grace period after the call is accepted, in ms. */
export const DEFAULT_GRACE_PERIOD_MS = 5000;

/** Audio energy per interval below which audio counts as digital silence (see above). */
const SILENCE_ENERGY = 1e-9;

const THREE_OF_FIVE = { samples: 3, window: 5 } as const;
const FIVE_OF_FIVE = { samples: 5, window: 5 } as const;
const THREE_GOOD = { samples: 3 } as const;

/** The default rule of every warning; see the table at the top of this file. */
export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  'high-rtt': { threshold: 400, clearThreshold: 350, raise: THREE_OF_FIVE, clear: THREE_GOOD },
  'high-jitter': { threshold: 30, clearThreshold: 25, raise: THREE_OF_FIVE, clear: THREE_GOOD },
  'high-inbound-packet-loss': { threshold: 0.03, clearThreshold: 0.02, raise: THREE_OF_FIVE, clear: THREE_GOOD },
  'high-outbound-packet-loss': { threshold: 0.03, clearThreshold: 0.02, raise: THREE_OF_FIVE, clear: THREE_GOOD },
  'low-mos': { threshold: 3.5, clearThreshold: 3.6, raise: THREE_OF_FIVE, clear: THREE_GOOD },
  'silent-microphone': { threshold: SILENCE_ENERGY, raise: FIVE_OF_FIVE, clear: THREE_GOOD },
  'no-inbound-audio': { threshold: SILENCE_ENERGY, raise: FIVE_OF_FIVE, clear: THREE_GOOD },
  'ice-disconnected': { threshold: 0, raise: { samples: 1, window: 1 }, clear: { samples: 1 } },
};

/** Why a warning stops judging samples for a while. */
type Suppression = 'grace-period' | 'on-hold' | 'muted';

/** What a warning watches; its thresholds live in `DEFAULT_QUALITY_THRESHOLDS`. */
interface WarningDefinition {
  comparison: WarningComparison;
  metric: (sample: QualitySample, facts: CallFacts) => number | undefined;
  suppressedWhen: readonly Suppression[];
}

const AUDIO_METRIC: readonly Suppression[] = ['grace-period', 'on-hold'];

const CATALOGUE: { readonly [K in WarningName]: WarningDefinition } = {
  'high-rtt': { comparison: 'above', metric: (s) => s.rttMs, suppressedWhen: ['grace-period'] },
  'high-jitter': { comparison: 'above', metric: (s) => s.jitterMs, suppressedWhen: AUDIO_METRIC },
  'high-inbound-packet-loss': { comparison: 'above', metric: (s) => s.inboundLoss, suppressedWhen: AUDIO_METRIC },
  'high-outbound-packet-loss': { comparison: 'above', metric: (s) => s.outboundLoss, suppressedWhen: AUDIO_METRIC },
  'low-mos': { comparison: 'below', metric: (s) => s.mosEstimate, suppressedWhen: AUDIO_METRIC },
  'silent-microphone': {
    comparison: 'below',
    metric: (s) => s.inputAudioEnergyDelta,
    suppressedWhen: ['grace-period', 'on-hold', 'muted'],
  },
  'no-inbound-audio': { comparison: 'below', metric: inboundEnergyWhilePacketsArrive, suppressedWhen: AUDIO_METRIC },
  'ice-disconnected': { comparison: 'above', metric: iceDisconnected, suppressedWhen: [] },
};

function inboundEnergyWhilePacketsArrive(sample: QualitySample): number | undefined {
  return sample.inboundBitrateKbps !== undefined && sample.inboundBitrateKbps > 0
    ? sample.inboundAudioEnergyDelta
    : undefined;
}

/** 1 while ICE is disconnected or failed, 0 while it is in any other known state. */
function iceDisconnected(sample: QualitySample, facts: CallFacts): number | undefined {
  const state = facts.iceState ?? sample.iceState;
  if (state === undefined) return undefined;
  return state === 'disconnected' || state === 'failed' ? 1 : 0;
}

/**
 * The inputs for the warning actors the options turn on, defaults merged
 * with overrides, in catalogue order.
 * @throws VoiceSDKError `invalid-argument` when a rule cannot work (k > n, m < 1…).
 */
export function resolveWarningInputs(options: QualityWarningOptions = {}): WarningMachineInput[] {
  if (typeof options !== 'object' || options === null) {
    throw new VoiceSDKError('invalid-argument', '`qualityWarnings` must be an object');
  }
  const thresholds: object = options.thresholds ?? {};
  if (typeof thresholds !== 'object' || thresholds === null) {
    throw new VoiceSDKError('invalid-argument', '`qualityWarnings.thresholds` must be an object');
  }
  for (const name of Object.keys(thresholds)) {
    // A typo would otherwise silently leave the default in force.
    if (!(WARNING_NAMES as readonly string[]).includes(name)) {
      throw new VoiceSDKError('invalid-argument', `Unknown quality warning '${name}' (known: ${WARNING_NAMES.join(', ')})`);
    }
  }
  return enabledWarnings(options).map((name) => {
    const rule = mergedThreshold(name, options);
    assertWorkableRule(name, rule);
    return { name, comparison: CATALOGUE[name].comparison, ...rule };
  });
}

/**
 * The grace period in ms, validated.
 * @throws VoiceSDKError `invalid-argument` unless it is a finite number ≥ 0.
 */
export function resolveGracePeriod(options: QualityWarningOptions = {}): number {
  const value = options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VoiceSDKError('invalid-argument', '`qualityWarnings.gracePeriodMs` must be a number of ms ≥ 0');
  }
  return value;
}

/** One event for one warning actor. */
export interface WarningDispatch {
  name: WarningName;
  event: WarningEvent;
}

/**
 * The events a sample means for each enabled warning: SUPPRESS while the
 * warning's metric is meaningless, otherwise RESUME then SAMPLE. Stateless:
 * the actors ignore a RESUME or SUPPRESS that changes nothing, so every
 * sample can send both kinds.
 */
export function warningEvents(
  sample: QualitySample,
  facts: CallFacts,
  options: QualityWarningOptions = {},
): WarningDispatch[] {
  const active = activeSuppressions(facts, options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
  return enabledWarnings(options).flatMap((name): WarningDispatch[] => {
    const definition = CATALOGUE[name];
    if (definition.suppressedWhen.some((reason) => active.has(reason))) {
      return [{ name, event: { type: 'SUPPRESS' } }];
    }
    return [
      { name, event: { type: 'RESUME' } },
      { name, event: { type: 'SAMPLE', value: definition.metric(sample, facts) } },
    ];
  });
}

function activeSuppressions(facts: CallFacts, gracePeriodMs: number): ReadonlySet<Suppression> {
  const active = new Set<Suppression>();
  if (facts.elapsedMs < gracePeriodMs) active.add('grace-period');
  if (facts.onHold) active.add('on-hold');
  if (facts.muted) active.add('muted');
  return active;
}

function enabledWarnings(options: QualityWarningOptions): WarningName[] {
  return WARNING_NAMES.filter((name) => options.thresholds?.[name] !== false);
}

function mergedThreshold(name: WarningName, options: QualityWarningOptions): WarningThreshold {
  const defaults = DEFAULT_QUALITY_THRESHOLDS[name];
  const override = options.thresholds?.[name] || {};
  const threshold = override.threshold ?? defaults.threshold;
  // A new threshold without its own clear threshold must not inherit a
  // default hysteresis band that sits on the wrong side of it.
  const clearThreshold =
    override.clearThreshold ?? (override.threshold === undefined ? defaults.clearThreshold : undefined) ?? threshold;
  return {
    threshold,
    clearThreshold,
    raise: { ...defaults.raise, ...override.raise },
    clear: { ...defaults.clear, ...override.clear },
  };
}

function assertWorkableRule(name: WarningName, rule: WarningThreshold): void {
  const { raise, clear, threshold, clearThreshold = threshold } = rule;
  const problem =
    !Number.isFinite(threshold) || !Number.isFinite(clearThreshold)
      ? 'thresholds must be finite numbers'
      : !isCount(raise.window) || !isCount(raise.samples) || raise.samples > raise.window
        ? 'raise needs 1 ≤ samples ≤ window, whole numbers'
        : !isCount(clear.samples)
          ? 'clear needs samples ≥ 1, a whole number'
          : !isInsideOrAt(CATALOGUE[name].comparison, threshold, clearThreshold)
            ? 'clearThreshold must be at or inside threshold'
            : undefined;
  if (problem !== undefined) {
    throw new VoiceSDKError('invalid-argument', `Quality warning '${name}': ${problem}.`);
  }
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}

/** Hysteresis only makes sense when clearing asks for a value at least as good as the threshold. */
function isInsideOrAt(comparison: WarningComparison, threshold: number, clearThreshold: number): boolean {
  return comparison === 'above' ? clearThreshold <= threshold : clearThreshold >= threshold;
}
