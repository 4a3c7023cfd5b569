/**
 * A map that never grows past `limit` entries: once it holds that many, the next new key makes it forget them all
 * and start again. For answers that are cheap to lose and come back often.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}

/**
 * A memo of answers that are slow to compute and come back often (dates formatted for long lists and for each
 * summary), held in a `BoundedMap` of `limit` answers.
 */
export function boundedMemo<K, V>(limit: number): (key: K, make: () => V) => V {
  const kept = new BoundedMap<K, V>(limit);
  return (key, make) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = make();
      kept.set(key, value);
    }
    return value;
  };
}
