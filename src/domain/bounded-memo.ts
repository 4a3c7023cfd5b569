/**
 * A memo of answers that are slow to compute and come back often (dates formatted for long lists and for each
 * summary): once it holds `limit` answers it forgets them all and starts again, so it never grows past that.
 */
export function boundedMemo<K, V>(limit: number): (key: K, make: () => V) => V {
  const kept = new Map<K, V>();
  return (key, make) => {
    let value = kept.get(key);
    if (value === undefined) {
      if (kept.size >= limit) kept.clear();
      value = make();
      kept.set(key, value);
    }
    return value;
  };
}
