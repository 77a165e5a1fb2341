import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Maintenance URL of the PostgreSQL server; the bench creates its own database there. */
  adminUrl: string;
  /** Messages in each end-to-end run. */
  messages: number;
  /** Messages scheduled for later before the backlog run. */
  backlog: number;
  /** Jobs in the raw pg-boss baseline. */
  baselineJobs: number;
  acceptRequests: number;
  acceptClients: number;
  /** Requests per second of the paced run, which also gives the lag below capacity. */
  pacedRate: number;
  pacedSeconds: number;
  inbound: number;
  inboundClients: number;
  accounts: number;
  clientsPerAccount: number;
  /** API processes, each taking requests in turn. */
  apiProcesses: number;
  logLevel: string;
  keepDatabase: boolean;
}

const usage = `Usage: npm run bench -- [options]

  --messages <n>         messages per end-to-end run (20000)
  --backlog <n>          messages scheduled for later in the backlog run (200000)
  --full                 the full backlog of 1,000,000 messages
  --baseline-jobs <n>    jobs in the raw pg-boss baseline (20000)
  --accept-requests <n>  requests of the accept figure (5000)
  --accept-clients <n>   concurrent clients of the accept figure (32)
  --paced-rate <n>       requests per second of the paced run (500)
  --paced-seconds <n>    length of the paced run (10)
  --inbound <n>          signed inbound SMS webhooks (5000)
  --inbound-clients <n>  webhooks in flight at once (16)
  --accounts <n>         practices, each with its own sender number (10)
  --api-processes <n>    API processes, taking the requests in turn (1)
  --clients <n>          clients per practice (200)
  --log-level <level>    the hub processes' log level (info)
  --database-url <url>   PostgreSQL maintenance URL (DATABASE_URL, or the local server)
  --keep-database        leave the bench database behind for inspection
`;

const localUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export function readOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      'messages': { type: 'string' },
      'backlog': { type: 'string' },
      'full': { type: 'boolean' },
      'baseline-jobs': { type: 'string' },
      'accept-requests': { type: 'string' },
      'accept-clients': { type: 'string' },
      'paced-rate': { type: 'string' },
      'paced-seconds': { type: 'string' },
      'inbound': { type: 'string' },
      'inbound-clients': { type: 'string' },
      'accounts': { type: 'string' },
      'api-processes': { type: 'string' },
      'clients': { type: 'string' },
      'log-level': { type: 'string' },
      'database-url': { type: 'string' },
      'keep-database': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return undefined;
  }

  const count = (name: keyof typeof values, fallback: number) => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
    return value;
  };

  return {
    adminUrl: values['database-url'] ?? process.env.DATABASE_URL ?? localUrl,
    messages: count('messages', 20_000),
    backlog: values.full ? 1_000_000 : count('backlog', 200_000),
    baselineJobs: count('baseline-jobs', 20_000),
    acceptRequests: count('accept-requests', 5_000),
    acceptClients: Math.max(1, count('accept-clients', 32)),
    pacedRate: Math.max(1, count('paced-rate', 500)),
    pacedSeconds: Math.max(1, count('paced-seconds', 10)),
    inbound: count('inbound', 5_000),
    inboundClients: Math.max(1, count('inbound-clients', 16)),
    accounts: Math.max(1, count('accounts', 10)),
    clientsPerAccount: Math.max(1, count('clients', 200)),
    apiProcesses: Math.max(1, count('api-processes', 1)),
    logLevel: values['log-level'] ?? 'info',
    keepDatabase: values['keep-database'] ?? false,
  };
}
