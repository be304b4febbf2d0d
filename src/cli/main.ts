#!/usr/bin/env node
import { Command } from 'commander';
import { applyCommand } from './apply/apply-command.js';
import { SourceFileError } from './apply/source-file.js';
import { deregisterCommand, registerCommand, updateCommand, verifyCommand } from './data-source-commands.js';
import { jobCancelCommand, jobWatchCommand } from './job-commands.js';
import { dataSourcesCommand, jobsCommand, tasksCommand } from './list-commands.js';
import { registerPluginCommand, type RunAction } from './plugin-command.js';
import { RemoteError } from './remote.js';
import { serveCommand, workerCommand } from './serve-command.js';
import { syncCommand } from './sync-command.js';
import { tokenCommand } from './token-command.js';
import { packageVersion } from '../config/version.js';

const remoteOptions = (command: Command) =>
  command
    .option('--url <url>', 'costsync server (env COSTSYNC_URL; default http://127.0.0.1:8080)')
    .option('--token <jwt>', 'API token (env COSTSYNC_TOKEN; default: a DOMAIN_ADMIN token signed with the local data directory key)')
    .option('--domain <domain_id>', 'domain for the default token', 'domain-demo');

/** A command's action, with its exit code (nothing: 0) and its errors printed as one line. */
const run: RunAction =
  (action) =>
  async (...args) => {
    try {
      const code = await action(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      const message =
        error instanceof RemoteError
          ? `${error.code}: ${error.message}`
          : error instanceof SourceFileError
            ? error.message
            : (error as Error).message;
      process.stderr.write(`costsync: ${message}\n`);
      process.exitCode = 1;
    }
  };

const program = new Command('costsync')
  .description('Collects cloud cost data through SpaceONE-compatible data-source plugins.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Commands that read or change jobs talk to a running server: --url (or COSTSYNC_URL) and --token
(or COSTSYNC_TOKEN); without a token they sign one with the data directory's key (COSTSYNC_DATA_DIR).

Examples:
  costsync serve                      # API, dashboard (http://127.0.0.1:8080/) and workers
  costsync sync ds-0a1b2c3d4e5f       # a sync with a live progress bar
  costsync jobs --status IN_PROGRESS
  costsync job cancel job-0a1b2c3d4e5f`,
  );

program
  .command('serve')
  .description('run the API, the dashboard, workers, reaper and scheduler (embedded database unless COSTSYNC_DATABASE_URL is set)')
  .addHelpText(
    'after',
    '\nExamples:\n  costsync serve\n  COSTSYNC_DATABASE_URL=postgres://postgres@127.0.0.1/costsync COSTSYNC_HTTP_PORT=9090 costsync serve',
  )
  .action(run(serveCommand));

program
  .command('worker')
  .description('run workers only, sharing a PostgreSQL server with `costsync serve`')
  .addHelpText('after', '\nExample:\n  COSTSYNC_DATABASE_URL=postgres://postgres@db/costsync COSTSYNC_WORKER_CONCURRENCY=4 costsync worker')
  .action(run(workerCommand));

program
  .command('token')
  .description('print an API token (alone on stdout)')
  .requiredOption('--domain <domain_id>', 'domain (claim did)')
  .requiredOption('--role <role>', 'DOMAIN_ADMIN, WORKSPACE_OWNER or WORKSPACE_MEMBER')
  .option('--workspace <workspace_id>', 'workspace (claim wid), for workspace roles')
  .option('--ttl <duration>', 'lifetime: 3600, 90s, 15m, 12h, 30d', '1h')
  .addHelpText('after', '\nExample:\n  export COSTSYNC_TOKEN=$(costsync token --domain domain-demo --role DOMAIN_ADMIN --ttl 12h)')
  .action(run(tokenCommand));

remoteOptions(program.command('sync <data_source_id>').description('start a sync, show its progress, exit 0 only on SUCCESS'))
  .option('--start <YYYY-MM>', 'first month to collect (passed to the plugin)')
  .option('--json', 'print the finished job as JSON')
  .addHelpText('after', '\nExample:\n  costsync sync ds-0a1b2c3d4e5f --start 2026-01')
  .action(run(syncCommand));

remoteOptions(program.command('jobs').description('list jobs, newest first'))
  .option('--data-source <data_source_id>', 'only this data source')
  .option('--status <status>', 'IN_PROGRESS, SUCCESS, FAILURE, TIMEOUT or CANCELED')
  .option('--limit <n>', 'how many', '20')
  .option('--json', 'JSON instead of a table')
  .addHelpText('after', '\nExamples:\n  costsync jobs --status FAILURE\n  costsync jobs --data-source ds-0a1b2c3d4e5f --limit 5 --json')
  .action(run(jobsCommand));

remoteOptions(program.command('tasks <job_id>').description("list a job's tasks"))
  .option('--json', 'JSON instead of a table')
  .addHelpText('after', '\nExample:\n  costsync tasks job-0a1b2c3d4e5f')
  .action(run(tasksCommand));

remoteOptions(program.command('data-sources').description('list data sources with their last sync and last job'))
  .option('--json', 'JSON instead of a table')
  .addHelpText(
    'after',
    '\nExamples:\n  costsync data-sources\n  costsync data-sources --url http://costsync.internal:8080 --token "$COSTSYNC_TOKEN" --json',
  )
  .action(run(dataSourcesCommand));

const job = program
  .command('job')
  .description('follow or cancel one job')
  .addHelpText('after', '\nExamples:\n  costsync job watch job-0a1b2c3d4e5f\n  costsync job cancel job-0a1b2c3d4e5f');

remoteOptions(job.command('watch <job_id>').description('show the progress of a job until it ends; exit 0 only on SUCCESS'))
  .option('--json', 'print the finished job as JSON')
  .addHelpText('after', '\nExample:\n  costsync job watch job-0a1b2c3d4e5f && echo synced')
  .action(run(jobWatchCommand));

remoteOptions(job.command('cancel <job_id>').description('cancel a running job; the rows it wrote are removed'))
  .option('--json', 'print the canceled job as JSON')
  .addHelpText('after', '\nExample:\n  costsync job cancel job-0a1b2c3d4e5f')
  .action(run(jobCancelCommand));

remoteOptions(program.command('apply').description('make the data sources a file declares so on the server, printing the plan first'))
  .requiredOption('-f, --file <sources.yaml>', 'the data sources, YAML or JSON (docs/data-sources.md)')
  .option('--dry-run', 'print the plan and change nothing')
  .addHelpText('after', '\nExamples:\n  costsync apply -f sources.yaml --dry-run\n  costsync apply -f sources.yaml')
  .action(run(applyCommand));

const dataSource = program
  .command('data-source')
  .description('register, update, deregister or verify one data source')
  .addHelpText(
    'after',
    '\nExamples:\n  costsync data-source register -f aws-cur.yaml\n  costsync data-source update ds-0a1b2c3d4e5f -f aws-cur.yaml\n  costsync data-source verify ds-0a1b2c3d4e5f',
  );

const sourceFlags = (command: Command) =>
  command
    .option('-f, --file <source.yaml>', 'the data source, YAML or JSON (the format of costsync apply)')
    .option('--name <name>', 'its name')
    .option('--plugin <plugin_id>', 'its plugin (register only)')
    .option('--options <json>', 'the plugin options, as JSON')
    .option('--secret-env <VAR>', 'an environment variable holding the secret as JSON')
    .option('--schedule <hour|off>', 'daily at this hour (UTC), or off')
    .option('--retention-months <n>', 'months of cost rows kept (0: all)')
    .option('--json', 'print the data source as JSON');

sourceFlags(remoteOptions(dataSource.command('register').description('register a data source, declared in a file or by flags')))
  .addHelpText(
    'after',
    `\nExamples:\n  costsync data-source register -f aws-cur.yaml\n  AWS_SECRET='{"aws_access_key_id":"…","aws_secret_access_key":"…"}' costsync data-source register --name cur --plugin aws-cur --options '{"base_url":["s3://bills/cur/"]}' --secret-env AWS_SECRET --schedule 3`,
  )
  .action(run(registerCommand));

sourceFlags(
  remoteOptions(
    dataSource.command('update <data_source_id>').description('change a data source: to what a file declares, or what flags say'),
  ),
)
  .addHelpText(
    'after',
    '\nExamples:\n  costsync data-source update ds-0a1b2c3d4e5f -f aws-cur.yaml\n  costsync data-source update ds-0a1b2c3d4e5f --schedule 5',
  )
  .action(run(updateCommand));

remoteOptions(dataSource.command('deregister <data_source_id>').description('deregister a data source'))
  .option('--delete-costs', 'also delete its cost rows')
  .addHelpText('after', '\nExample:\n  costsync data-source deregister ds-0a1b2c3d4e5f')
  .action(run(deregisterCommand));

remoteOptions(
  dataSource.command('verify <data_source_id>').description("check with the plugin that the data source's options and secret work"),
)
  .addHelpText('after', '\nExample:\n  costsync data-source verify ds-0a1b2c3d4e5f')
  .action(run(verifyCommand));

registerPluginCommand(program, run);

await program.parseAsync();
