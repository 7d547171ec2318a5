/** Workspace roles, ordered: each role may do everything the ones before it may. */
import { z } from 'zod';

/** A member's role in a workspace. */
export const Role = z.enum(['viewer', 'editor', 'admin']);
/** A member's role in a workspace. */
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/** Whether `held` includes everything `needed` allows. */
export function roleAtLeast(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}
