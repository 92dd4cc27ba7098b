// Parts of the demo softphone in their own module: the quality line and the
// sparklines of a call, its recording, and the audio panel (sounds, microphone and speaker
// pickers that follow devicechange). Plain DOM over the public callchart API.

const SVG = 'http://www.w3.org/2000/svg';

/** The sparkline metrics: what each plots from a QualitySample, and its scale. */
const METRICS = [
  { key: 'mos', label: 'MOS', of: (s) => s.mosEstimate, min: 1, max: 4.5, text: (v) => v.toFixed(2) },
  { key: 'rtt', label: 'RTT', of: (s) => s.rttMs, min: 0, max: 400, text: (v) => `${Math.round(v)} ms` },
  { key: 'loss', label: 'loss', of: (s) => s.inboundLoss, min: 0, max: 0.1, text: (v) => `${(v * 100).toFixed(1)} %` },
];
const POINTS = 60;

/**
 * A quality panel: one sparkline per metric over a call's samples (the last
 * minute at one sample a second). `show(samples)` draws a call's samples.
 */
export function createSparklines(container) {
  const rows = METRICS.map((metric) => {
    const row = document.createElement('div');
    row.className = 'spark';
    row.dataset.metric = metric.key;
    const label = document.createElement('span');
    label.textContent = metric.label;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${POINTS - 1} 20`);
    svg.setAttribute('preserveAspectRatio', 'none');
    const line = document.createElementNS(SVG, 'polyline');
    svg.append(line);
    const value = document.createElement('span');
    value.className = 'spark-value';
    row.append(label, svg, value);
    container.append(row);
    return { metric, row, line, value };
  });
  return {
    show(samples) {
      for (const { metric, row, line, value } of rows) {
        const values = samples.map(metric.of).filter((v) => typeof v === 'number' && Number.isFinite(v)).slice(-POINTS);
        const clamp = (v) => Math.min(metric.max, Math.max(metric.min, v));
        const y = (v) => 20 - ((clamp(v) - metric.min) / (metric.max - metric.min)) * 19 - 0.5;
        // The call so far across the whole width (at least 10 samples' worth), then the last minute.
        const step = (POINTS - 1) / Math.max(values.length - 1, 9);
        line.setAttribute('points', values.map((v, i) => `${(i * step).toFixed(2)},${y(v).toFixed(2)}`).join(' '));
        row.dataset.points = String(values.length);
        value.textContent = values.length ? metric.text(values.at(-1)) : '–';
      }
    },
  };
}

/**
 * The quality line of a call: five bars from the MOS estimate (the
 * signal-strength indicator of the README), its figures, and the video's
 * (fps, resolution) while video flows. `show(sample)`, `reset()`.
 */
export function createQualityLine({ bars, text, video }) {
  return {
    show(sample) {
      const mos = sample.mosEstimate;
      const on = mos === undefined ? 0 : Math.max(1, Math.min(5, Math.round((mos - 1) * (5 / 3.5))));
      [...bars.children].forEach((bar, i) => bar.classList.toggle('on', i < on));
      const parts = [
        mos !== undefined && `MOS ${mos.toFixed(2)}`,
        sample.rttMs !== undefined && `RTT ${Math.round(sample.rttMs)} ms`,
        sample.jitterMs !== undefined && `jitter ${sample.jitterMs.toFixed(1)} ms`,
        sample.selectedCodec,
      ].filter(Boolean);
      text.textContent = parts.join(' · ');
      const v = sample.video;
      video.textContent = v
        ? `· video ${v.frameWidth ?? '?'}×${v.frameHeight ?? '?'}${v.framesPerSecond !== undefined ? ` ${Math.round(v.framesPerSecond)} fps` : ''}`
        : '';
    },
    /** No bars and no figures: a new call starts without the previous call's quality. */
    reset() {
      [...bars.children].forEach((bar) => bar.classList.remove('on'));
      text.textContent = 'waiting for the first sample…';
      video.textContent = '';
    },
  };
}

/** The line of a quality warning. */
export function warningItem(name, value) {
  const item = document.createElement('li');
  item.id = `warning-${name}`;
  item.textContent = `${name} (${value.toFixed(2)})`;
  return item;
}

/**
 * The Record button of a call: start → stop → a download link for the Blob.
 * `bind(call)` follows a call (or none).
 */
export function createRecorder({ button, link, log }) {
  let call;
  let url;
  const render = () => {
    const accepted = call?.getStatus() === 'accepted';
    button.disabled = !accepted;
    button.setAttribute('aria-pressed', String(Boolean(call?.isRecording())));
    button.textContent = call?.isRecording() ? 'Stop recording' : 'Record';
  };
  button.addEventListener('click', async () => {
    if (!call) return;
    if (!call.isRecording()) {
      try {
        call.startRecording();
        log('recording');
      } catch (error) {
        log(`record failed: ${error.code}`);
      }
      return render();
    }
    try {
      const blob = await call.stopRecording();
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(blob);
      link.href = url;
      link.download = `call-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`;
      link.textContent = `Download the recording (${Math.round(blob.size / 1024)} KB, ${blob.type || 'audio'})`;
      link.dataset.size = String(blob.size);
      link.dataset.type = blob.type;
      link.hidden = false;
      log(`recording stopped: ${blob.size} bytes`);
    } catch (error) {
      log(`stop recording failed: ${error.code}`);
    }
    render();
  });
  return {
    bind(next) {
      call = next;
      if (next) next.actor.subscribe(render);
      render();
    },
    /** Hides the last call's link (a new call starts without it). */
    reset() {
      link.hidden = true;
    },
  };
}

/** Fills a <select> with devices, keeping `chosen` selected. */
function fill(select, devices, chosen) {
  const options = devices.map((d, i) => new Option(d.label || `${d.kind} ${i + 1}`, d.deviceId));
  if (!devices.some((d) => d.deviceId === 'default')) options.unshift(new Option('Default', 'default'));
  select.replaceChildren(...options);
  select.value = chosen;
}

/**
 * The audio panel of a device: sounds on or off, and the microphone and
 * speaker of calls; the lists follow `devicechange`, a device that goes
 * falls back to the default (`device-lost`).
 */
export function bindAudioPanel(device, { sounds, mic, speaker, ringtone, log }) {
  const audio = device.audio;
  // Every label seen, so that a device that went can be named.
  const labels = new Map();
  const render = ({ inputs, outputs }) => {
    for (const d of [...inputs, ...outputs]) if (d.label) labels.set(`${d.kind}:${d.deviceId}`, d.label);
    fill(mic, inputs, audio.inputDevice);
    fill(speaker, outputs, audio.outputDevice);
    fill(ringtone, outputs, audio.ringtoneDevice);
    speaker.disabled = outputs.length === 0;
    ringtone.disabled = outputs.length === 0;
  };
  audio.on('devicechange', (lists) => {
    render(lists);
    log(`devices: ${lists.inputs.length} microphones, ${lists.outputs.length} speakers`);
  });
  audio.on('device-lost', ({ kind, deviceId }) => {
    const label = labels.get(`${kind === 'input' ? 'audioinput' : 'audiooutput'}:${deviceId}`) ?? deviceId;
    log(`${kind} device ${label} is gone: back to the default`);
    render(audio);
  });
  const applySounds = () => {
    for (const name of ['ringtone', 'callWaiting', 'ringback', 'disconnect', 'dtmf']) audio.setSound(name, sounds.checked);
  };
  applySounds();
  sounds.onchange = () => {
    applySounds();
    log(`sounds ${sounds.checked ? 'on' : 'off'}`);
  };
  mic.onchange = () =>
    audio.setInputDevice(mic.value).then(
      () => log(`microphone: ${mic.selectedOptions[0]?.textContent}`),
      (error) => log(`microphone failed: ${error.code}`),
    );
  speaker.onchange = () =>
    audio.setOutputDevice(speaker.value).then(
      () => log(`speaker: ${speaker.selectedOptions[0]?.textContent}`),
      (error) => log(`speaker failed: ${error.code}`),
    );
  ringtone.onchange = () =>
    audio.setRingtoneDevice(ringtone.value).then(
      () => log(`ringtone on: ${ringtone.selectedOptions[0]?.textContent}`),
      (error) => log(`ringtone device failed: ${error.code}`),
    );
  render(audio);
  // Labels come once the page may use the microphone: list again then.
  return () => audio.refresh().catch(() => undefined);
}

/**
 * The keypad: during an accepted call (`call()`) a key sends its DTMF digit
 * (`sent(call, digit)` once sent); otherwise it dials, into the `target` input.
 */
export function bindPad(pad, { target, call, sent, log }) {
  for (const key of pad.querySelectorAll('button')) {
    key.addEventListener('click', () => {
      const to = call();
      const digit = key.textContent;
      if (!to) {
        target.value += digit;
        return;
      }
      to.sendDigits(digit).then(
        () => sent(to, digit),
        (error) => log(`DTMF failed: ${error.message}`),
      );
    });
  }
}
