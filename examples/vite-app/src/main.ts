/** The page: forms and a status line over phone.ts, with SIP.js (the default adapter). */
import type { Call, Device } from 'callchart';
import { placeCall, startPhone } from './phone';

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const show = (text: string): void => {
  status.textContent = text;
};
let device: Device | undefined;
let call: Call | undefined;

document.querySelector<HTMLFormElement>('#account')!.addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.currentTarget as HTMLFormElement);
  void device?.destroy();
  startPhone({ server: String(form.get('server')), uri: String(form.get('uri')), password: String(form.get('password')) }, show).then(
    (registered) => (device = registered),
    (error: Error) => show(`Registration failed: ${error.message}`),
  );
});

document.querySelector<HTMLFormElement>('#dial')!.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!device) return show('Register first');
  const to = String(new FormData(event.currentTarget as HTMLFormElement).get('to'));
  placeCall(device, to, show).then((placed) => (call = placed), () => undefined);
});

document.querySelector<HTMLButtonElement>('#hangup')!.addEventListener('click', () => {
  void call?.disconnect();
});
