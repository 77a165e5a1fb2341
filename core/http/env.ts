import type { Logger } from '../log.ts';

/** Who is calling: the admin key, or a key of one account. */
export type Caller =
  | { kind: 'admin' }
  | { kind: 'account'; accountId: string; keyId: string };

/** The variables every request carries through the middleware. */
export interface HubEnv {
  Variables: {
    requestId: string;
    log: Logger;
    caller: Caller;
  };
}
