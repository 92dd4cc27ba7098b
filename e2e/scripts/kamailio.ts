// Runs the e2e Kamailio in the foreground for manual work (demo pages, poking
// with a browser): prints the URLs, stops it by PID on Ctrl-C / SIGTERM.
// Usage: npx tsx e2e/scripts/kamailio.ts [--ws-port N] [--wss-port N] [--log-level N]
import { parseArgs } from 'node:util';
import { startKamailio, type KamailioLogLevel } from '../harness/kamailio.js';

const { values } = parseArgs({
  options: {
    'ws-port': { type: 'string' },
    'wss-port': { type: 'string' },
    'log-level': { type: 'string' },
  },
});

const toNumber = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

const kamailio = await startKamailio({
  wsPort: toNumber(values['ws-port']),
  wssPort: toNumber(values['wss-port']),
  logLevel: toNumber(values['log-level']) as KamailioLogLevel | undefined,
});
console.log(
  `kamailio pid ${kamailio.pid} up in ${kamailio.startupMs.toFixed(0)} ms\n` +
    `  ws:  ${kamailio.wsUrl}\n  wss: ${kamailio.wssUrl}\n  domain: ${kamailio.domain}`,
);

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await kamailio.stop();
  console.log('kamailio stopped');
  // Exit explicitly: with our own SIGINT/SIGTERM handlers installed, Node
  // would otherwise not end on the signal itself.
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
