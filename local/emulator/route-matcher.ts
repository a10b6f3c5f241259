/**
 * API Gateway REST resource matching: a literal segment beats `{param}`, which beats a
 * greedy `{proxy+}`; the resource is chosen first and the method second (an exact method
 * beats ANY), so a path whose resource lacks the method is not handed to a wider resource.
 * The root path `/` is matched only by a `/` resource, never by `/{proxy+}`, as on AWS.
 */
import type { EmulatedRoute } from './types';

export interface RouteMatch {
  readonly route: EmulatedRoute;
  /** null when the resource has no parameters, as in the proxy event. */
  readonly pathParameters: Record<string, string> | null;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

export function matchRoute(routes: readonly EmulatedRoute[], method: string, path: string): RouteMatch | undefined {
  const pathSegments = splitPath(path);
  let best: { resource: string; segments: Segment[]; params: Record<string, string> } | undefined;
  for (const resource of new Set(routes.map((r) => r.resource))) {
    const segments = parseResource(resource);
    const params = matchSegments(segments, pathSegments);
    if (!params) continue;
    if (!best || moreSpecific(segments, best.segments)) best = { resource, segments, params };
  }
  if (!best) return undefined;
  const onResource = routes.filter((r) => r.resource === best!.resource);
  const route = onResource.find((r) => r.method.toUpperCase() === method.toUpperCase()) ?? onResource.find((r) => r.method.toUpperCase() === 'ANY');
  if (!route) return undefined;
  return { route, pathParameters: Object.keys(best.params).length ? best.params : null };
}

function splitPath(path: string): string[] {
  return path === '/' || path === '' ? [] : path.replace(/^\//, '').split('/');
}

function parseResource(resource: string): Segment[] {
  return splitPath(resource).map((s) => {
    const greedy = /^\{(.+)\+\}$/.exec(s);
    if (greedy) return { kind: 'greedy', name: greedy[1] };
    const param = /^\{(.+)\}$/.exec(s);
    if (param) return { kind: 'param', name: param[1] };
    return { kind: 'literal', value: s };
  });
}

function matchSegments(segments: Segment[], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      const rest = path.slice(i);
      if (rest.join('/') === '') return undefined;
      params[segment.name] = decodeSafely(rest.join('/'));
      return params;
    }
    if (i >= path.length) return undefined;
    if (segment.kind === 'literal' && segment.value !== path[i]) return undefined;
    if (segment.kind === 'param') {
      if (path[i] === '') return undefined;
      params[segment.name] = decodeSafely(path[i]);
    }
  }
  return segments.length === path.length ? params : undefined;
}

function moreSpecific(a: Segment[], b: Segment[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (RANK[a[i].kind] !== RANK[b[i].kind]) return RANK[a[i].kind] < RANK[b[i].kind];
  }
  return a.length > b.length;
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
