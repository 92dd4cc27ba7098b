/**
 * An app's call panel, without a framework: it follows a Device and its call,
 * keeps what the panel shows in `view`, and renders it as HTML. The buttons
 * call `answer()`, `decline()`, `toggleHold()` and `hangUp()`.
 */
import type { Call, Device } from 'callchart';

/** What the panel shows. */
export interface PanelView {
  /** The one line at the top: who, and where the call is. */
  title: string;
  /** Call duration as mm:ss while a call is up. */
  timer: string;
  /** The buttons that can be pressed now. */
  buttons: Array<'answer' | 'decline' | 'hold' | 'resume' | 'hang up'>;
  /** A problem to show, until the next call. */
  alert: string | undefined;
}

const idle = (): PanelView => ({ title: 'No call', timer: '', buttons: [], alert: undefined });

export class CallPanel {
  view: PanelView = idle();
  #call: Call | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #seconds = 0;

  constructor(device: Device) {
    device.on('incoming', (call) => {
      this.#follow(call);
      this.view = { ...this.view, title: `Incoming call from ${call.remoteIdentity}`, buttons: ['answer', 'decline'], alert: undefined };
    });
  }

  /** Shows an outbound call placed by the app. */
  show(call: Call): void {
    this.#follow(call);
    this.view = { ...this.view, title: `Calling ${call.remoteIdentity}…`, buttons: ['hang up'], alert: undefined };
  }

  async answer(): Promise<void> {
    await this.#call?.accept();
  }

  async decline(): Promise<void> {
    await this.#call?.reject(603);
  }

  async toggleHold(): Promise<void> {
    const call = this.#call;
    if (!call) return;
    try {
      await call.hold(!call.isOnHold());
    } catch (error) {
      this.view = { ...this.view, alert: `Hold failed (${(error as { code?: string }).code ?? 'error'})` };
    }
  }

  async hangUp(): Promise<void> {
    await this.#call?.disconnect();
  }

  /** The panel as HTML. */
  render(): string {
    const buttons = this.view.buttons.map((name) => `<button>${name}</button>`).join('');
    const alert = this.view.alert ? `<p role="alert">${this.view.alert}</p>` : '';
    return `<section><h2>${this.view.title}</h2><time>${this.view.timer}</time>${buttons}${alert}</section>`;
  }

  #follow(call: Call): void {
    this.#call = call;
    call.on('ringing', () => (this.view = { ...this.view, title: `Ringing ${call.remoteIdentity}…` }));
    call.on('accepted', () => {
      this.view = { ...this.view, title: `In call with ${call.remoteIdentity}`, buttons: ['hold', 'hang up'] };
      this.#startTimer();
    });
    call.on('hold', (onHold) => {
      this.view = { ...this.view, title: `${onHold ? 'On hold' : 'In call'} with ${call.remoteIdentity}`, buttons: [onHold ? 'resume' : 'hold', 'hang up'] };
    });
    call.on('disconnect', ({ reason }) => {
      this.#stopTimer();
      this.view = { ...idle(), title: `Call ended (${reason})`, alert: this.view.alert };
    });
  }

  #startTimer(): void {
    this.#seconds = 0;
    this.view = { ...this.view, timer: '00:00' };
    this.#timer = setInterval(() => {
      this.#seconds++;
      const mm = String(Math.floor(this.#seconds / 60)).padStart(2, '0');
      const ss = String(this.#seconds % 60).padStart(2, '0');
      this.view = { ...this.view, timer: `${mm}:${ss}` };
    }, 1000);
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
