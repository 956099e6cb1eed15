/** Appends to the list kept under `key`, in place: building a list by copying it on every append is quadratic. */
export function addTo<K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, values);
}
