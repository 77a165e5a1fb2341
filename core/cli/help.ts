/** The help of every command: `hub <command> --help` shows it without loading the hub. */
export const commandHelp = {
  start: `Usage: hub start [--role api|worker|all] [--config file]

Starts the hub and runs until it gets SIGINT or SIGTERM, then finishes the work in flight
and stops.

Options:
  --role api|worker|all   what this process runs: the HTTP API, the job workers, or both
                          (default: server.role in the config, which defaults to all)
  --config <file>         the configuration file (default: config/hub.yaml)

Editing the config file or a template reloads it while the hub runs, and so does SIGHUP;
a version with problems is refused and the hub keeps the one it has.
`,

  check: `Usage: hub check [--config file]

Checks what the hub checks at start, without starting it: the config file against its
schema, each plugin's settings, every template file, and every template the triggers and the
consent answers need, on each of their channels and in each configured language, rendered
with sample data. Every problem is listed with its file and line, so it can run in CI before a
deploy.

Options:
  --config <file>   the configuration file (default: config/hub.yaml)

Exit status: 0 when all is well, 1 when problems were found, 2 when the check could not run.
`,

  preview: `Usage: hub preview <trigger>/<kind>/<channel> [options]

Renders a template as a recipient would get it: an SMS with its length and segments, an
email with its subject, a voice call's script, a fax's cover page. The data is the sample
data the trigger declares for the template, with the recipient and practice every template
gets, and the values of --data over them.

  hub preview appointment/reminder/sms --lang es
  hub preview adhoc/welcome/email --data welcome.json --account riverside

Options:
  --data <file>       a JSON object merged over the sample data
  --lang <tag>        the recipient's language (default: templates.defaultLanguage)
  --account <id>      use that account's own version of the template when it has one
  --time-zone <zone>  the recipient's time zone (default: defaults.account.timeZone)
  --html              print an email's HTML body as well
  --config <file>     the configuration file (default: config/hub.yaml)
`,

  send: `Usage: hub send --account <id> --to <address> --text <text> [options]

Sends a message the way the API does: it is stored in the hub's database and queued, and
the hub's workers send it through the configured provider. The command follows it until it
is delivered or fails, for up to --wait seconds.

  hub send --account riverside --to +12025550123 --text "Testing the hub"
  hub send --account riverside --to front@example.com --channel email \\
    --subject "Test" --text "Testing the hub"

The recipient is a client with the reference cli-<hash of the address>, created on first
use, or an existing client given by --client.

Options:
  --account <id>      the account (practice) that sends
  --to <address>      a phone number, email address or fax number
  --client <ref>      an existing client of the account, instead of --to
  --channel <id>      sms, voice, email or efax (default: email for an address with @,
                      otherwise sms)
  --text <text>       the message, sent as it is
  --subject <text>    the email subject
  --wait <seconds>    how long to follow the message (default: 30; 0 returns at once)
  --config <file>     the configuration file (default: config/hub.yaml)

Exit status: 0 when sent or delivered (or still queued after --wait), 1 when the message
failed or was not sent, 2 when it could not be queued.
`,

  migrate: `Usage: hub migrate [--config file]

Applies the database migrations this version has and installs or updates the job queue's
tables, then exits. The hub does the same at every start, several processes at once if need
be; running it as a release step lets the new version start on a ready database.

Options:
  --config <file>   the configuration file (default: config/hub.yaml)
`,

  keys: `Usage: hub keys create --account <id> [--label <text>] [--config file]

Issues an API key for the account and prints it on standard output, alone, so a script can
capture it. The hub keeps only its hash: the key is shown this once.

  KEY=$(hub keys create --account riverside --label "EHR production")

Options:
  --account <id>    the account the key opens
  --label <text>    what the key is for, shown when keys are listed
  --config <file>   the configuration file (default: config/hub.yaml)
`,

  reencrypt: `Usage: hub reencrypt [--config file]

Moves every encrypted value in the database (recipients, messages, subjects, attachments,
stored API answers) to the current encryption key, and recomputes the address hashes under
it. Rotate a key in three steps: configure the new key as security.encryptionKey and the old
one in security.previousEncryptionKeys, restart, run this command; from then on the old key
may be removed. It is safe while the hub runs and safe to run again.

Options:
  --config <file>   the configuration file (default: config/hub.yaml)
`,

  accounts: `Usage: hub accounts list [--json] [--config file]

Lists the accounts with their id, name, whether messaging is on, and when each was created.

Options:
  --json            one JSON array, with every setting in force, for scripts
  --config <file>   the configuration file (default: config/hub.yaml)
`,

  docs: `Usage: hub docs [--check]

Writes docs/config-reference.md (every setting, from the config schemas of the hub and of
each bundled plugin) and docs/template-reference.md (the templates each trigger needs and
their variables), so neither can drift from the code.

Options:
  --check   write nothing; exit 1 when a reference is out of date
`,
};
