// For the pages of other stacks (plain SIP.js, JsSIP): shared browser code.

/** Plays what `pc` receives: Chromium only computes inbound audio levels for played-out tracks. Nothing without a peer connection. */
export function playReceived(pc) {
  if (!pc) return;
  const audio = new Audio();
  audio.srcObject = new MediaStream(pc.getReceivers().map((receiver) => receiver.track));
  void audio.play();
}
