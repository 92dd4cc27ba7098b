/** The page: forms, Answer / Decline / Hang up and a status line over phone.ts, with SIP.js (the default adapter). */
import type { Call, Device } from 'callchart';
import { answer, decline, hangUp, placeCall, startPhone } from './phone';

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const status = $<HTMLParagraphElement>('#status');
const incoming = $<HTMLParagraphElement>('#incoming');
const show = (text: string): void => {
  status.textContent = text;
};
let device: Device | undefined;
/** The call the buttons act on: one at a time (`maxCalls: 1` answers a second caller 486 Busy Here). */
let call: Call | undefined;

/** An incoming call: Answer / Decline show until it is answered or ends. */
const ring = (ringing: Call): void => {
  call = ringing;
  incoming.hidden = false;
  const hide = (): void => void (incoming.hidden = true);
  ringing.on('accepted', hide);
  ringing.on('disconnect', hide);
};

$<HTMLFormElement>('#account').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.currentTarget as HTMLFormElement);
  void device?.destroy();
  device = undefined;
  const options = { server: String(form.get('server')), uri: String(form.get('uri')), password: String(form.get('password')), maxCalls: 1 };
  startPhone(options, show, ring).then(
    (registered) => (device = registered),
    () => undefined, // startPhone showed why
  );
});

$<HTMLFormElement>('#dial').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!device) return show('Register first');
  if (call && device.calls.includes(call)) return show('Hang up first');
  const to = String(new FormData(event.currentTarget as HTMLFormElement).get('to'));
  placeCall(device, to, show).then((placed) => (call = placed), () => undefined);
});

$<HTMLButtonElement>('#answer').addEventListener('click', () => {
  if (call) void answer(call, show);
});
$<HTMLButtonElement>('#decline').addEventListener('click', () => {
  if (call) void decline(call, show);
});
$<HTMLButtonElement>('#hangup').addEventListener('click', () => {
  if (call) void hangUp(call, show);
});
