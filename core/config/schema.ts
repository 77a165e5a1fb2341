import { z } from 'zod';
import {
  accountDefaultsSchema,
  declaredAccountSchema,
} from './account-settings.ts';
import { allowReference, envBoolean, envEnum, envNumber, optionalText } from './scalars.ts';

export {
  accountSettingsSchema,
  accountDefaultsSchema,
  declaredAccountSchema,
  isTimeZone,
  type AccountSettings,
} from './account-settings.ts';

const port = z.number().int().min(0).max(65_535);

const rateLimitSchema = z
  .strictObject({
    requestsPerSecond: envNumber(z.number().min(0))
      .default(100)
      .describe('Requests each bearer key may make per second, on average; 0 turns it off.'),
    burst: envNumber(z.number().int().min(1))
      .default(200)
      .describe('Requests a key may make at once before the average applies.'),
  })
  .prefault({})
  .describe(
    'Limits per bearer key; a key over its limit gets 429 with Retry-After. Each API ' +
      'process counts on its own.',
  );

const corsSchema = z
  .strictObject({
    origins: z
      .array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'Expected an origin: https://ehr.example'))
      .default([])
      .describe('Browser origins allowed to call the API; none when empty.'),
  })
  .prefault({})
  .describe('Cross-origin requests from browsers to the API, off unless origins are listed.');

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server listens on.'),
    port: envNumber(port).default(3000).describe('Port the HTTP server listens on; 0 picks one.'),
    publicUrl: allowReference(z.url({ protocol: /^https?$/, error: 'Expected an http(s) URL' }))
      .default('http://127.0.0.1:3000')
      .describe('URL at which providers reach the webhooks and recipients reach the hub pages.'),
    bodyLimitBytes: envNumber(z.number().int().positive())
      .default(1024 * 1024)
      .describe('Largest request body accepted by the API, in bytes.'),
    webhookBodyLimitBytes: envNumber(z.number().int().positive())
      .default(40 * 1024 * 1024)
      .describe(
        'Largest provider webhook body accepted, in bytes: inbound faxes and emails carry ' +
          'their files, and a provider does not retry a refusal.',
      ),
    idleConnectionSeconds: envNumber(z.number().positive())
      .default(65)
      .describe(
        'How long an idle client connection stays open. Keep it longer than the load ' +
          'balancer in front keeps its own idle connections, so the balancer closes them.',
      ),
    role: envEnum(['api', 'worker', 'all'])
      .default('all')
      .describe('What this process runs: the HTTP API, the job workers, or both.'),
    shutdownTimeoutSeconds: envNumber(z.number().positive())
      .default(10)
      .describe('How long a stop waits for work in flight before closing anyway.'),
    rateLimit: rateLimitSchema,
    cors: corsSchema,
  })
  .prefault({})
  .describe('The HTTP server.');

const databaseSchema = z
  .strictObject({
    url: optionalText(
      z.string().regex(/^postgres(ql)?:\/\//, 'Expected a postgres:// or postgresql:// URL'),
    ).describe('PostgreSQL connection URL. When empty, the hub runs an embedded PostgreSQL.'),
    poolSize: envNumber(z.number().int().min(1))
      .default(10)
      .describe('Most connections this process opens.'),
    preparedStatements: z
      .boolean()
      .default(true)
      .describe(
        'Keep the statements the hub runs most often prepared on each connection, so ' +
          'PostgreSQL parses and plans them once. Turn off behind a pooler that cannot ' +
          'carry prepared statements, such as PgBouncer before 1.21 in transaction mode.',
      ),
    tableUpkeep: z
      .boolean()
      .default(true)
      .describe(
        'Let the workers vacuum and analyze the hub\'s and the queue\'s tables as they churn, ' +
          'rather than wait for autovacuum, which waits for a fifth of a table to be dead.',
      ),
    embedded: z
      .strictObject({
        dataDir: z
          .string()
          .min(1)
          .default('.data/postgres')
          .describe('Folder of the embedded database, relative to the working directory.'),
        port: envNumber(port.min(1)).default(54329).describe('Port of the embedded database.'),
      })
      .prefault({})
      .describe('The PostgreSQL the hub starts itself when no url is set.'),
  })
  .prefault({})
  .describe('Where the hub keeps its data.');

const queueSchema = z
  .strictObject({
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'Expected a lower-case PostgreSQL identifier')
      .default('pgboss')
      .describe('PostgreSQL schema that holds the job tables.'),
    pollingIntervalSeconds: envNumber(z.number().min(0.5))
      .default(1)
      .describe('How often an idle worker looks for due jobs.'),
    dispatchBatchSize: envNumber(z.number().int().min(1))
      .default(50)
      .describe('Most dispatch jobs a worker takes at once.'),
    retryLimit: envNumber(z.number().int().min(0))
      .default(5)
      .describe('How many times a job that failed for a passing reason is tried again.'),
    retryDelaySeconds: envNumber(z.number().int().min(0))
      .default(5)
      .describe('Wait before the first retry.'),
    retryBackoff: envBoolean()
      .default(true)
      .describe('Whether each retry waits longer than the one before.'),
  })
  .prefault({})
  .describe('The job queue (pg-boss), which runs every send, callback and sweep.');

const securitySchema = z
  .strictObject({
    adminKey: optionalText(z.string())
      .describe(
        'Bearer key for managing accounts. When empty, the hub generates one into its data ' +
          'folder at first start.',
      ),
    encryptionKey: optionalText(z.string())
      .describe(
        'AES-256 key for patient data at rest: 32 bytes in base64, optionally named ' +
          '`id:base64`. When empty, the hub generates one into its data folder at first start.',
      ),
    previousEncryptionKeys: z
      .array(z.string())
      .default([])
      .transform((keys) => keys.filter((key) => key.trim() !== ''))
      .describe(
        'Keys that encrypted data before the current one, still used to read it until ' +
          '`hub reencrypt` has moved everything to the current key.',
      ),
  })
  .prefault({})
  .describe('Keys and secrets of the hub itself.');

const loggingSchema = z
  .strictObject({
    level: envEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Least severe level written.'),
    pretty: envBoolean()
      .default(false)
      .describe('Human-readable lines instead of JSON, for a terminal.'),
  })
  .prefault({})
  .describe('Structured logs (pino) on standard output.');

const pluginReference = z
  .string()
  .regex(
    /^(\.\/\S+|(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*)$/,
    'Expected a folder name, a path starting with ./, or an npm package name',
  );

function pluginList(folder: string, defaults: string[]) {
  return z
    .array(pluginReference)
    .superRefine(reportDuplicates)
    .default(defaults)
    .describe(
      `Plugins to load, in order: a folder name under ${folder}/, a path starting with ./ ` +
        '(from the working directory), or an npm package name.',
    );
}

const pluginsSchema = z
  .strictObject({
    channels: pluginList('channels', ['sms', 'voice', 'email', 'efax']),
    triggers: pluginList('plugins', ['adhoc']),
  })
  .prefault({})
  .describe('Which channel and trigger plugins the hub loads.');

const pluginId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'Expected a lower-case id such as sms or appointment');

const channelSectionSchema = z
  .looseObject({
    provider: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'Expected a lower-case provider name such as twilio')
      .default('sandbox')
      .describe('The outside service behind the channel, or sandbox to only record messages.'),
  })
  .describe(
    "Settings of one channel: its provider, the provider's credentials and base URL, prices. " +
      'The channel plugin checks the rest of this section.',
  );

const minorUnits = envNumber(z.number().int().min(0));

const channelPriceSchema = z
  .strictObject({
    perSegment: minorUnits.optional().describe('Price of one sms segment.'),
    perMinute: minorUnits.optional().describe('Price of one started voice minute.'),
    perPage: minorUnits.optional().describe('Price of one fax page.'),
  })
  .describe(
    "One channel's price, in the unit its plugin bills by, in minor units of the currency " +
      '(cents). A channel without a price is free.',
  );

const callbacksSchema = z
  .strictObject({
    timeoutSeconds: envNumber(z.number().min(0.1).max(60))
      .default(15)
      .describe('How long the hub waits for a callback endpoint to answer.'),
    retrySchedule: z
      .array(z.number().min(0))
      .default([5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000])
      .describe(
        'Seconds to wait before each retry of a failed callback; when the list runs out the ' +
          'delivery has failed. The default retries for about three days.',
      ),
    concurrency: envNumber(z.number().int().min(1))
      .default(16)
      .describe('Most callbacks one worker process delivers at once.'),
    perEndpointConcurrency: envNumber(z.number().int().min(1))
      .default(4)
      .describe(
        'Most of those going to one endpoint, so a slow endpoint cannot hold up the others.',
      ),
  })
  .superRefine((callbacks, context) => {
    if (callbacks.perEndpointConcurrency <= callbacks.concurrency) return;
    const message = 'Expected at most callbacks.concurrency';
    context.addIssue({ code: 'custom', path: ['perEndpointConcurrency'], message });
  })
  .prefault({})
  .describe('Signed callbacks to the host (Standard Webhooks).');

const templatesSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default('templates')
      .describe('Folder of the Handlebars templates, relative to the working directory.'),
    defaultLanguage: z
      .string()
      .default('en')
      .describe('Language used when a template has no variant in the recipient\'s language.'),
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Expected a language tag'))
      .min(1)
      .default(['en', 'es'])
      .describe('Languages the templates are written in.'),
  })
  .superRefine((templates, context) => {
    if (templates.languages.includes(templates.defaultLanguage)) return;

    context.addIssue({
      code: 'custom',
      path: ['defaultLanguage'],
      message: `Expected one of templates.languages (${templates.languages.join(', ')})`,
    });
  })
  .prefault({})
  .describe('Message templates.');

/** The whole of `config/hub.yaml`. Every setting has a default, so an empty file is valid. */
export const hubConfigSchema = z
  .strictObject({
    server: serverSchema,
    database: databaseSchema,
    queue: queueSchema,
    security: securitySchema,
    logging: loggingSchema,
    plugins: pluginsSchema,
    channels: z
      .record(pluginId, channelSectionSchema)
      .default({})
      .describe('Settings per channel plugin, by channel id (sms, voice, email, efax).'),
    triggers: z
      .record(pluginId, z.looseObject({}).describe('Settings of one trigger plugin.'))
      .default({})
      .describe('Settings per trigger plugin, by trigger id; each plugin checks its own.'),
    templates: templatesSchema,
    prices: z
      .record(pluginId, channelPriceSchema)
      .default({})
      .describe('Prices per channel id, charged against the account\'s prepaid credit.'),
    callbacks: callbacksSchema,
    defaults: z
      .strictObject({ account: accountDefaultsSchema })
      .prefault({})
      .describe('Defaults for new accounts.'),
    accounts: z
      .array(declaredAccountSchema)
      .superRefine(reportDuplicateIds)
      .optional()
      .describe('Accounts declared as code, in addition to those created through the API.'),
  })
  .describe('Configuration of the messaging hub.');

export type HubConfig = z.infer<typeof hubConfigSchema>;

function reportDuplicates(values: string[], context: z.RefinementCtx): void {
  for (const index of duplicateIndexes(values)) {
    const message = `"${values[index]}" is listed twice`;
    context.addIssue({ code: 'custom', path: [index], message });
  }
}

function reportDuplicateIds(accounts: { id: string }[], context: z.RefinementCtx): void {
  const ids = accounts.map((account) => account.id);

  for (const index of duplicateIndexes(ids)) {
    const message = `Account id "${ids[index]}" is declared twice`;
    context.addIssue({ code: 'custom', path: [index, 'id'], message });
  }
}

function duplicateIndexes(values: string[]): number[] {
  return values.flatMap((value, index) => (values.indexOf(value) === index ? [] : [index]));
}
