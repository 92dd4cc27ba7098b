// Test accounts; these mirror the htable filled in e2e/kamailio/kamailio.cfg.
export const SIP_DOMAIN = 'callchart.test';

export const USERS = {
  alice: { user: 'alice', password: 'alicepw' },
  bob: { user: 'bob', password: 'bobpw' },
  carol: { user: 'carol', password: 'carolpw' },
} as const;

export type UserName = keyof typeof USERS;

export function sipUri(user: string, domain: string = SIP_DOMAIN): string {
  return `sip:${user}@${domain}`;
}

/** The device options that sign test user `name` in at `server` (a ws URL, or several). */
export function userAccount<S extends string | string[]>(name: UserName, server: S): { server: S; uri: string; password: string } {
  return { server, uri: sipUri(USERS[name].user), password: USERS[name].password };
}
