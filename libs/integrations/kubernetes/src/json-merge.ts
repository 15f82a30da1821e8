/**
 * Pure JSON helpers: RFC 7386 merge patches (create + apply), a simplified strategic merge patch (lists of objects
 * merged by their merge key, as Kubernetes does for containers, env, ports, volumes…), and readable diffs.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Plain JSON copy (drops undefined, turns Dates into strings, strips class prototypes from client objects). */
export function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

/** JSON with sorted keys, for equality. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const jsonEqual = (a: Json, b: Json): boolean => canonicalJson(a) === canonicalJson(b);

/** RFC 7386: the merge patch that turns `from` into `to` (null removes a key; arrays are replaced whole). */
export function createMergePatch(from: Json, to: Json): Json {
  if (!isJsonObject(from) || !isJsonObject(to)) return to;
  const patch: JsonObject = {};
  for (const key of Object.keys(to)) {
    if (!(key in from)) {
      patch[key] = to[key];
    } else if (isJsonObject(from[key]) && isJsonObject(to[key])) {
      const nested = createMergePatch(from[key], to[key]);
      if (isJsonObject(nested) && Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!jsonEqual(from[key], to[key])) {
      patch[key] = to[key];
    }
  }
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  return patch;
}

/** RFC 7386 apply. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

/** Merge keys of the list fields this adapter and its tests touch (k8s.io/api `patchMergeKey` tags). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
};

/**
 * Strategic merge patch, simplified: like a merge patch, except lists under a known field name are merged element
 * by element on their merge key. (`$patch`/`$retainKeys` directives are not supported.)
 */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const mergeKey = MERGE_KEYS[key];
    const current = result[key];
    if (value === null) {
      delete result[key];
    } else if (mergeKey && Array.isArray(value) && Array.isArray(current)) {
      const merged = [...current];
      for (const item of value) {
        const index = isJsonObject(item) ? merged.findIndex((existing) => isJsonObject(existing) && existing[mergeKey] === item[mergeKey]) : -1;
        if (index >= 0) merged[index] = applyStrategicMergePatch(merged[index], item);
        else merged.push(item);
      }
      result[key] = merged;
    } else {
      result[key] = applyStrategicMergePatch(current ?? null, value);
    }
  }
  return result;
}

export interface JsonChange {
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** Leaf-level differences; lists of named objects are compared by name (`containers[api].image`). */
export function diffJson(before: Json | undefined, after: Json | undefined, path = ''): JsonChange[] {
  if (before !== undefined && after !== undefined && jsonEqual(before, after)) return [];
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffJson(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (isNamedList(before) && isNamedList(after)) {
    const names = [...new Set([...before, ...after].map((item) => String(item.name)))];
    const byName = (list: JsonObject[], name: string): JsonObject | undefined => list.find((item) => String(item.name) === name);
    return names.flatMap((name) => diffJson(byName(before, name), byName(after, name), `${path}[${name}]`));
  }
  return [{ path, before, after }];
}

const isNamedList = (value: Json | undefined): value is JsonObject[] => Array.isArray(value) && value.every((item) => isJsonObject(item) && typeof item.name === 'string');

const show = (value: Json | undefined): string => {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export function formatChange(change: JsonChange): string {
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}

/** `a: x → y; b: (none) → z`, at most `limit` entries, then `(+N more)`. */
export function summariseChanges(changes: readonly JsonChange[], limit = 6): string {
  if (changes.length === 0) return 'no change';
  const shown = changes.slice(0, limit).map(formatChange).join('; ');
  return changes.length > limit ? `${shown} (+${changes.length - limit} more)` : shown;
}
