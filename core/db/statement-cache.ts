import { is, Param, Placeholder, SQL, StringChunk, type SQLChunk } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/** A statement's text cut at its parameters, and the parameters, placeholders unfilled. */
interface Compiled {
  pieces: string[];
  params: unknown[];
}

/**
 * Statements drizzle builds once for each shape, written with `sql.placeholder` for the
 * values, and then given each call's values. Building a statement walks every table, column
 * and part of it; for the status changes every message goes through, that walk was a tenth
 * of a busy worker's time. A shape names what makes the text differ (which
 * columns are set, which parts are present) and must not depend on the values.
 */
export class StatementCache {
  readonly #compiled = new Map<string, Compiled>();

  bind(shape: string, build: () => SQL, values: Record<string, unknown>): SQL {
    let compiled = this.#compiled.get(shape);
    if (!compiled) {
      compiled = compile(build());
      this.#compiled.set(shape, compiled);
    }

    const params = compiled.params.map((param) => fill(param, values));
    const chunks: unknown[] = [new StringChunk(compiled.pieces[0])];
    for (let i = 0; i < params.length; i++) {
      chunks.push(asChunk(params[i]), new StringChunk(compiled.pieces[i + 1]));
    }
    return new SQL(chunks as SQLChunk[]);
  }
}

/**
 * A value as a part of a statement. drizzle writes a plain value as a parameter at once,
 * where a `Param` is first checked against six column types, which was most of what running
 * a cached statement cost; an object is wrapped all the same, since drizzle would read an
 * array as a list of parts.
 */
function asChunk(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? new Param(value) : value ?? null;
}

/** drizzle numbers parameters `$1`, `$2`… in the order it writes them, each once. */
function compile(statement: SQL): Compiled {
  const query = dialect.sqlToQuery(statement);
  const pieces = query.sql.split(/\$\d+/);
  const numbers = (query.sql.match(/\$\d+/g) ?? []).map((token) => Number(token.slice(1)));
  if (numbers.length !== query.params.length || numbers.some((n, i) => n !== i + 1)) {
    throw new Error(`A cached statement's parameters are not numbered in order: ${query.sql}`);
  }
  return { pieces, params: query.params };
}

/**
 * A parameter's value: a placeholder's from `values`, encoded for its column (encrypted, a
 * date as text) as drizzle encodes a value given at once; null stays null, as it does there.
 */
function fill(param: unknown, values: Record<string, unknown>): unknown {
  const placeholder = is(param, Placeholder) ? param
    : is(param, Param) && is(param.value, Placeholder) ? param.value : undefined;
  if (!placeholder) return param;

  if (!(placeholder.name in values)) throw new Error(`No value for "${placeholder.name}"`);
  const value = values[placeholder.name];
  if (value === null || value === undefined || !is(param, Param)) return value ?? null;
  return param.encoder.mapToDriverValue(value);
}
