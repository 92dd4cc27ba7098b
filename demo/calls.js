// The call list of the demo softphone: every call of the device, one of them
// the current call (the controls of the in-call card apply to it). Plain DOM
// over the public callchart API; softphone.js owns the calls' handlers.
// Each row names the far end (`call.info`) and shows its times (`getTimer()`,
// updated by the call's `timer` event through updateRowTimer).

/** Who the far end is, for people: its display name, else its number, else its URI (`call.info`). */
export function peerName(call) {
  const { displayName, number, uri } = call.info;
  return displayName || number || uri;
}

/** The far end's number and URI, when the name above is not already them. */
export function peerDetail(call) {
  const { displayName, number, uri } = call.info;
  if (!displayName) return number ? uri : '';
  return [number, uri].filter(Boolean).join(' · ');
}

/** `m:ss` (or `h:mm:ss`) of a duration in ms. */
const clock = (ms) => {
  const s = Math.floor(ms / 1000);
  const mmss = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}` : mmss;
};

/** The call's times from its timer (`getTimer()` or the `timer` event): ringing, then talking and on hold. */
export function timerText(timer) {
  // The `timer` event comes once a second while accepted: a call still ringing shows no figure yet.
  if (timer.answeredAt === undefined && timer.endedAt === undefined) return 'ringing…';
  const parts = [`ringing ${clock(timer.ringingMs)}`];
  if (timer.answeredAt !== undefined) parts.push(`talking ${clock(timer.talkingMs)}`);
  if (timer.onHoldMs > 0) parts.push(`on hold ${clock(timer.onHoldMs)}`);
  return parts.join(' · ');
}

/** Writes a call's times into the `<span>` `element` (its text, and the ms as data for tests). */
export function showTimer(element, timer) {
  element.textContent = timerText(timer);
  element.dataset.ringingMs = String(timer.ringingMs);
  element.dataset.talkingMs = String(timer.talkingMs);
  element.dataset.onHoldMs = String(timer.onHoldMs);
}

/** Updates the times of `call`'s row in the list (on its `timer` event), without redrawing the list. */
export function updateRowTimer(list, call, timer) {
  const row = [...list.children].find((item) => item.call === call);
  const element = row?.querySelector('.timer');
  if (element) showTimer(element, timer);
}

/** What a call is doing, in the words of an agent. */
export function callState(call) {
  const status = call.getStatus();
  if (status === 'pending' || status === 'ringing') {
    if (call.direction === 'inbound') return call.replaces ? 'answering (replaces a call)' : 'incoming';
    return status === 'ringing' ? 'ringing' : 'calling';
  }
  if (status !== 'accepted') return status;
  if (call.isReconnecting()) return 'reconnecting';
  if (call.isOnHold()) return 'on hold';
  if (call.isRemoteOnHold()) return 'held by the far end';
  return 'talking';
}

/**
 * Renders `calls` into the <ul> `list`: one row per call with its far end,
 * its state and what can be done with it (Answer / Decline for a waiting
 * call, Switch for an accepted call that is not the current one).
 * `info(call)` gives a row's extra words (transfer progress, referred, replaces).
 */
export function renderCallList(list, calls, { current, info, onAnswer, onDecline, onSwitch }) {
  const rows = calls.map((call, index) => {
    const row = document.createElement('li');
    row.className = 'call-row';
    row.dataset.testid = 'call-row';
    row.dataset.peer = call.remoteIdentity;
    row.call = call;
    const extra = info(call);
    const state = callState(call);
    row.dataset.state = state;
    row.classList.toggle('current', call === current);
    row.setAttribute('aria-current', String(call === current));
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = `${index + 1}. ${call.direction === 'inbound' ? '←' : '→'} ${peerName(call)}`;
    who.dataset.testid = 'call-row-name';
    who.title = call.info.uri;
    const what = document.createElement('span');
    what.className = 'what';
    what.dataset.testid = 'call-row-state';
    what.textContent = [state, extra.transfer && `transfer ${extra.transfer}`, ...(extra.notes ?? [])].filter(Boolean).join(' · ');
    const timer = document.createElement('span');
    timer.className = 'timer';
    timer.dataset.testid = 'call-row-timer';
    showTimer(timer, call.getTimer());
    const actions = document.createElement('span');
    actions.className = 'actions';
    const button = (label, testid, className, onClick) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.dataset.testid = testid;
      if (className) b.className = className;
      b.addEventListener('click', () => onClick(call));
      actions.append(b);
    };
    const status = call.getStatus();
    if (call.direction === 'inbound' && (status === 'pending' || status === 'ringing') && !call.replaces) {
      button('Answer', 'row-answer', 'go', onAnswer);
      button('Decline', 'row-decline', 'stop', onDecline);
    } else if (status === 'accepted' && call !== current) {
      button('Switch to', 'row-switch', '', onSwitch);
    }
    row.append(who, what, timer, actions);
    return row;
  });
  list.replaceChildren(...rows);
}
