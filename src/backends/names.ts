/**
 * Checks and paging shared by the built-in backends.
 *
 * @module
 */

import {
  DEFAULT_LIST_LIMIT,
  type ListOptions,
  type ListPage,
} from "./backend.ts";

const NAME = /^[A-Za-z0-9@_.%-]{1,768}$/;

/**
 * Reject a name that no `storageName()` could have made, so a backend is
 * never asked to touch `../` or an absolute path.
 */
export function checkName(name: string): void {
  if (typeof name !== "string" || !NAME.test(name) || name.startsWith(".")) {
    throw new TypeError(
      "Backend name must be a storage name (see storageName())",
    );
  }
}

/** Validate list options; programming mistakes are `TypeError`s. */
export function checkListOptions(options: ListOptions): void {
  const { prefix, cursor, limit } = options;
  if (prefix !== undefined && typeof prefix !== "string") {
    throw new TypeError("List 'prefix' must be a string");
  }
  if (cursor !== undefined && typeof cursor !== "string") {
    throw new TypeError("List 'cursor' must be a string");
  }
  if (
    limit !== undefined &&
    !(Number.isInteger(limit) && limit >= 1 && limit <= DEFAULT_LIST_LIMIT)
  ) {
    throw new RangeError(
      `List 'limit' must be an integer from 1 to ${DEFAULT_LIST_LIMIT}, got ${limit}`,
    );
  }
}

/**
 * One page of `sorted` names: those with the prefix, after the cursor (the
 * last name of the previous page), at most `limit`.
 */
export function pageOf(
  sorted: string[],
  options: ListOptions,
  limit: number,
): ListPage {
  const prefix = options.prefix ?? "";
  const after = options.cursor;
  const names: string[] = [];
  for (const name of sorted) {
    if (!name.startsWith(prefix)) continue;
    if (after !== undefined && name <= after) continue;
    if (names.length === limit) {
      return { names, cursor: names[names.length - 1] };
    }
    names.push(name);
  }
  return { names };
}
