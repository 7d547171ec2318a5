/** `runtrail workspace create|list|add-member|remove-member`: workspaces and who may do what in them. */
import type { Command } from 'commander';
import { z } from 'zod';
import { authSchema } from '@runtrail/backend';
import { CliError } from '../errors';
import { table, when } from '../format';
import { callAuth, withConnection, type AuthOptions } from './token';

type Print = (text: string) => void;
const ROLES = ['viewer', 'editor', 'admin'] as const;

async function create(id: string, options: AuthOptions & { name?: string }, print: Print) {
  const body = { id, ...(options.name ? { name: options.name } : {}) };
  const { workspace } = await callAuth(options, 'createWorkspace', z.object({ workspace: authSchema.WorkspaceInfo }), { body });
  if (options.json) return print(JSON.stringify({ workspace }, null, 2));
  print(`created workspace ${workspace.id} ('${workspace.name}'); experiments go there with projectId '${workspace.id}'`);
}

async function list(options: AuthOptions, print: Print) {
  const answer = z.object({ workspaces: z.array(authSchema.WorkspaceInfo.extend({ role: z.string().nullable() })) });
  const { workspaces } = await callAuth(options, 'listWorkspaces', answer);
  if (options.json) return print(JSON.stringify({ workspaces }, null, 2));
  print(table(['id', 'name', 'your role', 'created'], workspaces.map((w) => [w.id, w.name, w.role ?? '-', when(w.createdAt)])));
}

async function addMember(workspaceId: string, user: string, options: AuthOptions & { role: string }, print: Print) {
  if (!(ROLES as readonly string[]).includes(options.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}, got '${options.role}'`, 2);
  const { member } = await callAuth(options, 'setMember', z.object({ member: authSchema.MemberInfo }), { params: { workspaceId, user }, body: { role: options.role } });
  if (options.json) return print(JSON.stringify({ member }, null, 2));
  print(`${member.userName} is ${member.role} of workspace ${member.workspaceId}`);
}

async function removeMember(workspaceId: string, user: string, options: AuthOptions, print: Print) {
  const answer = z.object({ removed: authSchema.MemberInfo.omit({ role: true }) });
  const { removed } = await callAuth(options, 'removeMember', answer, { params: { workspaceId, user } });
  if (options.json) return print(JSON.stringify({ removed }, null, 2));
  print(`${removed.userName} is no longer a member of workspace ${removed.workspaceId}`);
}

/** Registers `runtrail workspace ...`. */
export function addWorkspaceCommands(program: Command, print: Print): Command {
  const workspace = program.command('workspace').description('workspaces and their members (roles viewer < editor < admin)');
  withConnection(workspace.command('create'))
    .description('create a workspace (admins of the default workspace); you become its admin')
    .argument('<id>')
    .option('--name <name>', 'display name (default: the id)')
    .action((id, options) => create(id, options, print));
  withConnection(workspace.command('list')).description('your workspaces and roles').action((options) => list(options, print));
  withConnection(workspace.command('add-member'))
    .description("add a member or change their role (the workspace's admins)")
    .argument('<workspace>')
    .argument('<user>')
    .option('--role <role>', 'viewer, editor or admin', 'viewer')
    .action((ws, user, options) => addMember(ws, user, options, print));
  withConnection(workspace.command('remove-member'))
    .description('remove a member')
    .argument('<workspace>')
    .argument('<user>')
    .action((ws, user, options) => removeMember(ws, user, options, print));
  return workspace;
}
