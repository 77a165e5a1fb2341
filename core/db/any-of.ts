import { sql, type Column, type SQL } from 'drizzle-orm';

/** PostgreSQL types of the columns whose values are looked up in lists. */
type ListType = 'uuid' | 'bigint' | 'text';

/**
 * `column = any($1)`: the column's value is one of `values`, given as one array parameter.
 * drizzle's `inArray` writes a parameter for each value, so a batch's look-up had a text of its
 * own for each length of its list, parsed and planned anew and too long to keep prepared, and
 * drizzle's own building of it cost the worker more than the look-up. This text is the same
 * for any number of values.
 */
export function isAnyOf(column: Column | SQL, values: readonly unknown[], type: ListType): SQL {
  return sql`${column} = any(${sql.param(values)}::${sql.raw(type)}[])`;
}
