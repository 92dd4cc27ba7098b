// The WebRTC <-> RTP gateway of the gateway suite: rtpengine first, then
// Kamailio with e2e/kamailio/gateway.cfg pointing at it (Kamailio disables an
// rtpengine it cannot reach at start-up). Both stopped by PID, Kamailio first.
import { join } from 'node:path';
import { startKamailio, type Kamailio, type KamailioLogLevel } from './kamailio.js';
import { getFreePort, REPO_ROOT } from './process.js';
import { startRtpEngine, type RtpEngine } from './rtpengine.js';

export const GATEWAY_CFG = join(REPO_ROOT, 'e2e/kamailio/gateway.cfg');

/** Phone accounts in gateway.cfg's htable. */
export const PHONE_USERS = {
  phone: { user: 'phone', password: 'phonepw' },
  pcmu: { user: 'pcmu', password: 'pcmupw' },
  g722: { user: 'g722', password: 'g722pw' },
} as const;

export interface Gateway {
  readonly kamailio: Kamailio;
  readonly rtpengine: RtpEngine;
  /** Kamailio's SIP/UDP port on 127.0.0.1 (phones register here). */
  readonly udpPort: number;
  /** Kamailio first (it talks to rtpengine while it shuts calls down), then rtpengine. */
  stop(): Promise<void>;
}

export async function startGateway(options: { logLevel?: KamailioLogLevel } = {}): Promise<Gateway> {
  const rtpengine = await startRtpEngine();
  try {
    const udpPort = await getFreePort();
    const kamailio = await startKamailio({
      config: GATEWAY_CFG,
      logLevel: options.logLevel ?? 0,
      defines: { UDP_PORT: udpPort, RTPENGINE: `"${rtpengine.controlSocket}"` },
    });
    return {
      kamailio,
      rtpengine,
      udpPort,
      stop: async () => {
        try {
          await kamailio.stop();
        } finally {
          await rtpengine.stop();
        }
      },
    };
  } catch (error) {
    await rtpengine.stop();
    throw error;
  }
}
