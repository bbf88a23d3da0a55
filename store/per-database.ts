/**
 * Things made once per open database and shared by every user of it (prepared statements): a
 * fleet's file serves thousands of device views, which must not prepare their own.
 */
import type { Db } from './database.js';

/** `make(db)` the first time a database asks, the same object after that (until it is collected). */
export function perDatabase<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let t = made.get(db);
    if (t === undefined) made.set(db, (t = make(db)));
    return t;
  };
}
