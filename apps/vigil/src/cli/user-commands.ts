import { Command } from 'commander';
import { changeRoles, registerUser, UsersRepository } from '@vigil/application';
import { withRuntime } from './with-runtime';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('People, roles and API tokens');
  users
    .command('add <name>')
    .description('Add a user; prints the new API token as the last line (it is stored hashed and never shown again)')
    .requiredOption('--roles <roles>', 'comma-separated: responder, team-lead, sre, manager, vp-eng, auditor, admin', list)
    .option('--email <email>', 'for Slack lookup by email and notifications')
    .option('--slack-id <id>', 'Slack user id (U…)')
    .action(async (name: string, options: { roles: string[]; email?: string; slackId?: string }) => {
      const token = await withRuntime(async (runtime) => {
        const created = await registerUser(new UsersRepository(runtime.pool), runtime.store, { id: name, roles: options.roles, email: options.email, slackId: options.slackId }, 'system:cli', new Date().toISOString());
        process.stdout.write(`added ${created.user.id} with roles ${created.user.roles.join(', ')}\n`);
        return created.token;
      });
      process.stdout.write(`${token}\n`);
    });
  users
    .command('roles <name>')
    .description('Replace a user\'s roles (checked again before every execution)')
    .requiredOption('--roles <roles>', 'comma-separated roles', list)
    .action(async (name: string, options: { roles: string[] }) => {
      await withRuntime(async (runtime) => {
        const user = await changeRoles(new UsersRepository(runtime.pool), runtime.store, name, options.roles, 'system:cli', new Date().toISOString());
        process.stdout.write(`${user.id}: ${user.roles.join(', ')}\n`);
      });
    });
}
