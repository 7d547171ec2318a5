/** Own-property lookup: Python names such as `constructor` or `toString` must not find Object.prototype members. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
