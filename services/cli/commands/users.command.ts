// `ledger users create|list|disable|reset-password`: people's accounts for the console (CONTRACT.md, second wave).
// A password is never taken from the command line (it would show in `ps` and the shell's history): it is generated and
// printed once, or read from standard input with --password-stdin. Only its argon2id hash is stored.
import type { Command } from 'commander';
import { formatScope, type ClientScope } from '../../../shared/domain/scope.ts';
import {
  createUser,
  accountOptionsOf,
  disableUser,
  unlockUser,
  listAllUsers,
  PasswordRefusedError,
  resetPassword,
  UnknownUserError,
  UserInputError,
  UserNameTakenError,
  type User,
} from '../../../shared/use-cases/manage-users.ts';
import { grantProxy, revokeProxy, type ProxyTarget } from '../../../shared/use-cases/proxy-grants.ts';
import { SCOPE_HELP, scopeArg } from '../args.ts';
import { output, UserError, withDb } from '../context.ts';
import { provinceExists, universityExists } from '../../../shared/use-cases/reference-data.ts';

/** `users create` options, the scope already parsed by scopeArg. */
type CreateOptions = {
  name: string;
  scope: ClientScope;
  email?: string;
  passwordStdin?: boolean;
  temporary?: boolean;
  json?: boolean;
};

/** The password on standard input: its first line, without the line ending. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UserError('--password-stdin reads the password from standard input: pipe it in, e.g. `pass show x |`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new UserError('--password-stdin: standard input is empty: send the password on its first line');
  return line;
}

/** Use-case errors as the one-line reasons of the CLI. */
async function asUserError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PasswordRefusedError)
      throw new UserError(`--password-stdin: ${err.message}`, { refusals: err.refusals });
    if (err instanceof UserInputError) throw new UserError(`--${err.field}: ${err.message}`);
    if (err instanceof UserNameTakenError || err instanceof UnknownUserError) throw new UserError(err.message);
    throw err;
  }
}

const line = (u: User) =>
  [u.id, u.name, u.scope, u.email ?? '-', u.lastLoginAt ? `last login ${u.lastLoginAt}` : 'never logged in']
    .concat(u.proxy.length > 0 ? [`代录 ${u.proxy.join(',')}`] : [])
    .concat(u.disabledAt ? [`disabled ${u.disabledAt}`] : [])
    .join('\t');

type ProxyOptions = { name: string; province?: string; university?: string; json?: boolean };

/** --province P or --university CODE, exactly one. */
function proxyTarget(opts: ProxyOptions): ProxyTarget {
  if ((opts.province === undefined) === (opts.university === undefined))
    throw new UserError('give exactly one of --province <code|bingtuan> or --university <code>');
  return opts.province !== undefined ? { province: opts.province.trim() } : { university: opts.university!.trim() };
}

export function register(program: Command): void {
  const users = program.command('users').description("people's accounts for the console (sign-in with a password)");

  users
    .command('create')
    .description('create an account and print its initial password once (or read it from stdin)')
    .requiredOption('--name <name>', 'the login name: letters, digits, . _ @ - (e.g. gd-edu)')
    .requiredOption('--scope <scope>', SCOPE_HELP, scopeArg)
    .option('--email <address>', "the person's e-mail address (for the operators' information)")
    .option('--password-stdin', 'read the password from the first line of standard input instead of generating one')
    .option('--temporary', 'with --password-stdin: the password is temporary too (changed at first sign-in)')
    .option(
      '--json',
      'print {"id", "name", "scope", "email", "password", "mustChangePassword", "temporaryUntil"} (password null when read from stdin)',
    )
    .action(async (opts: CreateOptions) => {
      const scope = opts.scope;
      const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
      await withDb(async ({ db, config }) => {
        if (scope.kind === 'province' && !(await provinceExists(db, scope.provinceCode)))
          throw new UserError(
            `--scope ${formatScope(scope)}: ${scope.provinceCode} is not a province code (e.g. 110000 北京市, 440000 广东省)`,
          );
        if (scope.kind === 'university' && !(await universityExists(db, scope.universityCode)))
          process.stderr.write(
            `warning: university ${scope.universityCode} is not imported yet; its pages stay empty until \`ledger import universities\` adds it\n`,
          );
        const made = await asUserError(() =>
          createUser(
            db,
            { name: opts.name.trim(), scope: formatScope(scope), email: opts.email ?? null, password },
            accountOptionsOf(config, { temporary: opts.temporary === true }),
          ),
        );
        const { id, name, email, mustChangePassword, temporaryUntil } = made.user;
        output(
          opts.json,
          { id, name, scope: made.user.scope, email, password: made.password, mustChangePassword, temporaryUntil },
          `user ${id} ${name} (${made.user.scope})` +
            (made.password ? `\ninitial password (shown once, hand it over now): ${made.password}` : '') +
            (temporaryUntil ? `\ntemporary: to be changed at first sign-in, before ${temporaryUntil}` : ''),
        );
      });
    });

  users
    .command('list')
    .description('list accounts (never their passwords)')
    .option(
      '--json',
      'print JSON: [{id, name, scope, email, createdAt, passwordChangedAt, lastLoginAt, disabledAt, proxy}] (proxy: the 代录 grants)',
    )
    .action(async (opts: { json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = await listAllUsers(db);
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no users: create one with `ledger users create --name N --scope S`'
            : rows.map(line).join('\n'),
        );
      });
    });

  users
    .command('disable')
    .description('disable an account: its sessions end at once and it can no longer sign in')
    .requiredOption('--name <name>', 'the login name')
    .option('--json', 'print the user as JSON')
    .action(async (opts: { name: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const { user, changed } = await asUserError(() => disableUser(db, { name: opts.name }));
        output(
          opts.json,
          { ...user, changed },
          changed ? `disabled user ${user.id} ${user.name}` : `user ${user.name} was disabled already`,
        );
      });
    });

  users
    .command('unlock')
    .description('lift the locks that failed sign-ins put on a name, from every address; audited')
    .requiredOption('--name <name>', 'the login name as it was typed')
    .option('--json', 'print {"name", "addresses"}: the addresses it was locked from')
    .action(async (opts: { name: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const done = await unlockUser(db, opts.name);
        output(
          opts.json,
          done,
          done.addresses.length
            ? `unlocked ${done.name} from ${done.addresses.join(', ')}`
            : `${done.name} was locked from no address`,
        );
      });
    });

  users
    .command('reset-password')
    .description("set a new password (printed once, or read from stdin); ends the account's sessions")
    .requiredOption('--name <name>', 'the login name')
    .option('--password-stdin', 'read the new password from the first line of standard input')
    .option('--temporary', 'with --password-stdin: the password is temporary too (changed at first sign-in)')
    .option(
      '--json',
      'print {"id", "name", "password", "mustChangePassword", "temporaryUntil"} (password null when read from stdin)',
    )
    .action(async (opts: { name: string; passwordStdin?: boolean; temporary?: boolean; json?: boolean }) => {
      const chosen = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
      await withDb(async ({ db, config }) => {
        const { user, password } = await asUserError(() =>
          resetPassword(
            db,
            { name: opts.name },
            chosen,
            accountOptionsOf(config, { temporary: opts.temporary === true }),
          ),
        );
        const { mustChangePassword, temporaryUntil } = user;
        output(
          opts.json,
          { id: user.id, name: user.name, password, mustChangePassword, temporaryUntil },
          `new password for ${user.name}` +
            (password ? ` (shown once, hand it over now): ${password}` : ' set') +
            (temporaryUntil ? `\ntemporary: to be changed at first sign-in, before ${temporaryUntil}` : ''),
        );
      });
    });

  for (const [verb, grant] of [
    ['grant-proxy', true],
    ['revoke-proxy', false],
  ] as const)
    users
      .command(verb)
      .description(
        grant
          ? "let a national, province or central person's account write visits for the universities of a province or for one university (代录); audited"
          : 'take a 代录 grant back; audited',
      )
      .requiredOption('--name <name>', 'the login name')
      .option('--province <code>', 'a province code (6 digits) or bingtuan: every university of that reporting unit')
      .option('--university <code>', 'one university (10 digits)')
      .option('--json', 'print {"user", "target", "changed"}')
      .action(async (opts: ProxyOptions) => {
        const target = proxyTarget(opts);
        await withDb(async ({ db }) => {
          const done = await asUserError(() => (grant ? grantProxy : revokeProxy)(db, opts.name, target));
          output(
            opts.json,
            done,
            done.changed
              ? `${grant ? 'granted' : 'revoked'} 代录 for ${done.target} ${grant ? 'to' : 'from'} ${done.user}`
              : `${done.user} ${grant ? 'already holds' : 'holds no'} 代录 grant for ${done.target}`,
          );
        });
      });
}
