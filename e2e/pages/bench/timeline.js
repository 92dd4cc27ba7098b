// Timeline marks for the call-setup benchmark, installed (as a classic script)
// before any SIP code loads: every SIP message sent or received over the
// WebSocket, getUserMedia, the peer connection's ICE gathering and audio
// playout, each with performance.now(). Both implementations get the same
// instrumentation; each hook costs microseconds. The driver reads them with
// window.benchTimeline.take() to show where the setup time goes.
(() => {
  /** @type {Array<[number, string]>} */
  const marks = [];
  const mark = (label) => {
    marks.push([performance.now(), label]);
  };

  /** "INVITE", "ACK", or "407 INVITE" / "200 INVITE" for responses (code and CSeq method). */
  const describe = (message) => {
    const firstLine = message.slice(0, message.indexOf('\r\n'));
    if (!firstLine.startsWith('SIP/2.0 ')) return firstLine.split(' ')[0];
    const code = firstLine.split(' ')[1];
    const cseq = /\r\nCSeq:\s*\d+\s+(\w+)/i.exec(message);
    return `${code} ${cseq ? cseq[1] : '?'}`;
  };
  // SIP over WebSocket keep-alives are bare CRLFs: not messages.
  const isSipMessage = (data) => typeof data === 'string' && data.length > 4;

  const originalSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function send(data) {
    if (isSipMessage(data)) mark(`> ${describe(data)}`);
    return originalSend.call(this, data);
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      // Registered before the SIP stack's own listener: marks arrival, not processing.
      this.addEventListener('message', (event) => {
        if (isSipMessage(event.data)) mark(`< ${describe(event.data)}`);
      });
    }
  };

  const mediaDevices = navigator.mediaDevices;
  const getUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
  mediaDevices.getUserMedia = async (constraints) => {
    mark('getUserMedia start');
    try {
      return await getUserMedia(constraints);
    } finally {
      mark('getUserMedia done');
    }
  };

  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) {
      super(...args);
      mark('peer connection created');
      let first = true;
      this.addEventListener('icecandidate', (event) => {
        if (event.candidate && first) {
          first = false;
          mark('first ICE candidate');
        }
      });
      this.addEventListener('icegatheringstatechange', () => mark(`ICE gathering ${this.iceGatheringState}`));
      this.addEventListener('connectionstatechange', () => mark(`connection ${this.connectionState}`));
    }
  };
  // Offer/answer steps: how long each takes, and what runs in between.
  for (const method of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) {
    const original = NativePeerConnection.prototype[method];
    window.RTCPeerConnection.prototype[method] = async function marked(...args) {
      mark(`${method} start`);
      try {
        return await original.apply(this, args);
      } finally {
        mark(`${method} done`);
      }
    };
  }

  // Starting remote audio playout early (callchart plays from the offer/answer
  // on, for early media) is work that plain SIP.js does not do during setup.
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function playMarked() {
    mark('audio element play()');
    return play.call(this);
  };

  window.benchTimeline = {
    mark,
    /** The marks so far (and forget them), times relative to `origin`. */
    take(origin = 0) {
      return marks.splice(0).map(([time, label]) => [time - origin, label]);
    },
  };
})();
