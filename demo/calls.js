// The call list of the demo softphone: every call of the device, one of them
// the current call (the controls of the in-call card apply to it). Plain DOM
// over the public callchart API; softphone.js owns the calls' handlers.

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
    const extra = info(call);
    const state = callState(call);
    row.dataset.state = state;
    row.classList.toggle('current', call === current);
    row.setAttribute('aria-current', String(call === current));
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = `${index + 1}. ${call.direction === 'inbound' ? '←' : '→'} ${call.remoteIdentity}`;
    const what = document.createElement('span');
    what.className = 'what';
    what.dataset.testid = 'call-row-state';
    what.textContent = [state, extra.transfer && `transfer ${extra.transfer}`, ...(extra.notes ?? [])].filter(Boolean).join(' · ');
    // The call timer and the caller info (issue 11) go here, per row.
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
    row.append(who, what, actions);
    return row;
  });
  list.replaceChildren(...rows);
}
