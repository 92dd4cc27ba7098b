// The video of the demo softphone's current call: the far end's <video> (large)
// and ours (small), fed from the call's `remoteStream` / `localStream` (and
// re-fed on its `stream` event), the Video on/off button (`setVideo`) and the
// camera picker (`setVideoInputDevice`, shown while our camera goes out).
// Plain DOM over the public callchart API.

/** Points a <video> at `stream` (or nothing), only when it changed: a new srcObject restarts playback. */
function feed(element, stream) {
  if (element.srcObject !== (stream ?? null)) element.srcObject = stream ?? null;
}

/**
 * `box` holds the two <video> elements `remote` and `local`; `toggle` is the
 * Video on/off button, `camera` the camera <select>. `bind(call)` follows the
 * current call (or none); `render()` again after the call's `video`,
 * `remote-video`, `stream` events and state changes.
 */
export function createVideoPanel({ box, remote, local, toggle, camera, log }) {
  let call;
  let busy = false;
  // Both muted: the SDK plays the far end's audio itself (on the chosen speaker).
  remote.muted = true;
  local.muted = true;

  const listCameras = async () => {
    const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    const chosen = camera.value;
    camera.replaceChildren(...devices.map((d, i) => new Option(d.label || `camera ${i + 1}`, d.deviceId)));
    if (devices.some((d) => d.deviceId === chosen)) camera.value = chosen;
  };

  const render = () => {
    const accepted = call?.getStatus() === 'accepted';
    const sending = Boolean(call?.hasVideo());
    const receiving = Boolean(call?.hasRemoteVideo());
    box.hidden = !(accepted && (sending || receiving));
    remote.hidden = !receiving;
    local.hidden = !sending;
    feed(remote, receiving ? call.remoteStream : undefined);
    feed(local, sending ? call.localStream : undefined);
    // Not while a re-INVITE of ours is on its way, nor while the call changes (hold, reconnect).
    toggle.disabled = !accepted || busy || call.isReconnecting();
    toggle.textContent = sending ? 'Video off' : 'Video on';
    toggle.setAttribute('aria-pressed', String(sending));
    camera.hidden = !sending;
    camera.disabled = !sending || busy;
  };

  toggle.addEventListener('click', async () => {
    const target = call;
    if (!target) return;
    const on = !target.hasVideo();
    busy = true;
    render();
    try {
      await target.setVideo(on);
      log(`video ${on ? 'on' : 'off'}`);
      if (on) await listCameras();
    } catch (error) {
      log(`video ${on ? 'on' : 'off'} failed: ${error.code}`);
    }
    busy = false;
    render();
  });

  camera.addEventListener('change', () => {
    call?.setVideoInputDevice(camera.value).then(
      () => log(`camera: ${camera.selectedOptions[0]?.textContent}`),
      (error) => log(`camera failed: ${error.code}`),
    );
  });

  return {
    bind(next) {
      call = next;
      busy = false;
      if (next?.hasVideo()) listCameras().catch(() => undefined);
      render();
    },
    render,
    /** The far end's or our stream arrived or changed (the `stream` event): lists the cameras once ours goes out. */
    streamed(direction) {
      if (direction === 'local' && camera.options.length === 0) listCameras().catch(() => undefined);
      render();
    },
  };
}
