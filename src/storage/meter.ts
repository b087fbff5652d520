/**
 * Counts what one invocation asks of KV and D1, so work that must stay under the per-invocation
 * limits (1,000 KV operations, 1,000 D1 queries on the Workers Paid plan) can stop in time and
 * say what it used. The migration (src/storage/migrate.ts) runs its store and its old-layout
 * reader over metered bindings.
 */

export interface Usage {
  kvReads: number;
  kvWrites: number;
  kvLists: number;
  /** D1 statements: each one run alone, and each statement of a batch. */
  d1Queries: number;
}

/** The platform's limits per Worker invocation (Workers Paid). */
export const INVOCATION_LIMITS = { kvOperations: 1000, d1Queries: 1000 } as const;

type Method = (...args: unknown[]) => unknown;

export class Meter {
  readonly usage: Usage = { kvReads: 0, kvWrites: 0, kvLists: 0, d1Queries: 0 };

  get kvOperations(): number {
    return this.usage.kvReads + this.usage.kvWrites + this.usage.kvLists;
  }

  kv(namespace: KVNamespace): KVNamespace {
    const usage = this.usage;
    return new Proxy(namespace, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "get" || property === "getWithMetadata") usage.kvReads++;
          else if (property === "put" || property === "delete") usage.kvWrites++;
          else if (property === "list") usage.kvLists++;
          return (value as Method).apply(target, args);
        };
      },
    });
  }

  db(database: D1Database): D1Database {
    const usage = this.usage;
    // Statements reach `batch` unwrapped: D1 gets its own objects back.
    const unwrapped = new WeakMap<object, D1PreparedStatement>();
    const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
      const proxy = new Proxy(statement, {
        get(target, property) {
          const value = Reflect.get(target, property) as unknown;
          if (typeof value !== "function") return value;
          if (property === "bind") return (...args: unknown[]) => wrap((value as Method).apply(target, args) as D1PreparedStatement);
          if (property === "first" || property === "all" || property === "run" || property === "raw") {
            return (...args: unknown[]) => {
              usage.d1Queries++;
              return (value as Method).apply(target, args);
            };
          }
          return (value as Method).bind(target);
        },
      });
      unwrapped.set(proxy, statement);
      return proxy;
    };
    return new Proxy(database, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== "function") return value;
        if (property === "prepare") return (sql: string) => wrap(target.prepare(sql));
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            usage.d1Queries += statements.length;
            return target.batch(statements.map((statement) => unwrapped.get(statement) ?? statement));
          };
        }
        if (property === "exec") {
          return (sql: string) => {
            usage.d1Queries++;
            return target.exec(sql);
          };
        }
        return (value as Method).bind(target);
      },
    });
  }
}
