/**
 * An app's call panel, without a framework: it follows a Device and its call,
 * keeps what the panel shows in `view`, and renders it as HTML. The buttons
 * call `answer()`, `decline()`, `toggleHold()` and `hangUp()`.
 *
 * The panel keeps no clock of its own: the times it shows are the call's
 * (`call.getTimer()`, and the `timer` event once a second while accepted).
 */
import { isVoiceSDKError, type Call, type CallTimer, type Device } from 'callchart';

/** What the panel shows. */
export interface PanelView {
  /** The one line at the top: who, and where the call is. */
  title: string;
  /** The call's times (`timerText`): talking (and on hold) once answered, how long it rang if it never was. */
  timer: string;
  /** The buttons that can be pressed now. */
  buttons: Array<'answer' | 'decline' | 'hold' | 'resume' | 'hang up'>;
  /** A problem to show (`code: message` of a VoiceSDKError), until the next call. */
  alert: string | undefined;
}

const idle = (): PanelView => ({ title: 'No call', timer: '', buttons: [], alert: undefined });

/** `mm:ss` of a duration in ms. */
const clock = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The call's times for people: `01:05`, `01:05 · on hold 00:10`, or `rang 00:12` for a call never answered. */
export function timerText(timer: CallTimer): string {
  if (timer.answeredAt === undefined) return timer.endedAt === undefined ? '' : `rang ${clock(timer.ringingMs)}`;
  return timer.onHoldMs > 0 ? `${clock(timer.talkingMs)} · on hold ${clock(timer.onHoldMs)}` : clock(timer.talkingMs);
}

/** Text as HTML: `&`, `<` and `>` escaped. */
const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What went wrong, for people: `code: message` of a VoiceSDKError. */
const problem = (error: unknown): string => (isVoiceSDKError(error) ? `${error.code}: ${error.message}` : String(error));

export class CallPanel {
  view: PanelView = idle();
  #call: Call | undefined;

  constructor(device: Device) {
    device.on('incoming', (call) => {
      this.#follow(call);
      this.view = { ...idle(), title: `Incoming call from ${call.remoteIdentity}`, buttons: ['answer', 'decline'] };
    });
  }

  /** Shows an outbound call placed by the app. */
  show(call: Call): void {
    this.#follow(call);
    this.view = { ...idle(), title: `Calling ${call.remoteIdentity}…`, buttons: ['hang up'] };
  }

  answer(): Promise<void> {
    return this.#try('Answer', (call) => call.accept());
  }

  decline(): Promise<void> {
    return this.#try('Decline', (call) => call.reject(603));
  }

  toggleHold(): Promise<void> {
    return this.#try('Hold', (call) => call.hold(!call.isOnHold()));
  }

  hangUp(): Promise<void> {
    return this.#try('Hang up', (call) => call.disconnect());
  }

  /** The panel as HTML (who calls and error messages come from the network: escaped). */
  render(): string {
    const buttons = this.view.buttons.map((name) => `<button>${name}</button>`).join('');
    const alert = this.view.alert ? `<p role="alert">${html(this.view.alert)}</p>` : '';
    return `<section><h2>${html(this.view.title)}</h2><time>${this.view.timer}</time>${buttons}${alert}</section>`;
  }

  /** Runs a button's action on the current call; a rejection becomes the alert (`Hold failed: sip-error: …`). */
  async #try(action: string, run: (call: Call) => Promise<void>): Promise<void> {
    const call = this.#call;
    if (!call) return;
    try {
      await run(call);
    } catch (error) {
      this.view = { ...this.view, alert: `${action} failed: ${problem(error)}` };
    }
  }

  #follow(call: Call): void {
    this.#call = call;
    const showTimer = (timer: CallTimer = call.getTimer()): void => void (this.view = { ...this.view, timer: timerText(timer) });
    call.on('ringing', () => (this.view = { ...this.view, title: `Ringing ${call.remoteIdentity}…` }));
    call.on('accepted', () => {
      this.view = { ...this.view, title: `In call with ${call.remoteIdentity}`, buttons: ['hold', 'hang up'] };
      showTimer();
    });
    call.on('timer', showTimer);
    call.on('hold', (onHold) => {
      this.view = { ...this.view, title: `${onHold ? 'On hold' : 'In call'} with ${call.remoteIdentity}`, buttons: [onHold ? 'resume' : 'hold', 'hang up'] };
      showTimer();
    });
    call.on('disconnect', ({ reason }) => {
      // getTimer() is frozen at the end: the panel goes on showing how long the call was.
      this.view = { ...idle(), title: `Call ended (${reason})`, timer: timerText(call.getTimer()), alert: this.view.alert };
    });
  }
}
