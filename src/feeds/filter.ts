/**
 * Which changes a reader wants: by kind and by significance. Feeds take it from the query
 * string; webhook subscriptions store it with the subscription.
 */
import { CHANGE_KINDS, type ChangeKind } from "../model";
import type { ChangeFilter, ChangeListItem } from "../storage/records";
import { quoteInput } from "../quote";

export type { ChangeFilter } from "../storage/records";

/** A query or body parameter that cannot be used; the API answers 400 with the message. */
export class BadParameterError extends Error {}

/**
 * Kinds from a feed's comma-separated `?kinds=` or a subscription's JSON list: each known kind
 * once, in the order given (so a stored filter stays as small as the kinds it names); an unknown
 * kind is a 400 naming it. No kinds at all means every kind.
 */
export function parseKinds(raw: string | readonly string[] | undefined): ChangeKind[] | null {
  const names = typeof raw === "string" ? (raw === "" ? [] : raw.split(",")) : (raw ?? []);
  if (names.length === 0) return null;
  const kinds = [...new Set(names.map((kind) => kind.trim()))];
  const unknown = kinds.filter((kind) => !(CHANGE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new BadParameterError(`\`kinds\` takes a list of ${CHANGE_KINDS.join(", ")}; unknown: ${quoteInput(unknown)}.`);
  return kinds as ChangeKind[];
}

export function parseMinSignificance(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/u.test(raw) || value > 1) throw new BadParameterError(`\`min_significance\` must be a number from 0 to 1, not ${quoteInput(raw)}.`);
  return value;
}

/** Changes recorded before significance was scored count as significant: nothing is hidden by age. */
export function matchesFilter(change: Pick<ChangeListItem, "kinds" | "significance">, filter: ChangeFilter): boolean {
  if (filter.kinds && !change.kinds.some((kind) => filter.kinds?.includes(kind))) return false;
  return (change.significance ?? 1) >= filter.minSignificance;
}
