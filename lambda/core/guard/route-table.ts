/**
 * The rules a resource's route table must follow so that it means exactly what API Gateway
 * routes ("Set up a proxy integration with a proxy resource", "Set up a method request in
 * API Gateway": resources form a tree, `{param}` is one segment, a trailing `{proxy+}` one or
 * more). Every route path becomes a REST resource with every method behind the authorizer,
 * and API Gateway picks the resource first (a literal segment before `{param}` before
 * `{proxy+}`, at the first segment where two resources differ) and the method second. So a
 * table passes only when reading it top to bottom, first matching rule wins, gives the same
 * rule as API Gateway's choice for every request:
 *
 *  1. paths are `/` or `/segment/...`: literal segments, `{name}`, and `{name+}` only last;
 *  2. every path is the resource path or below it (the API serves that resource);
 *  3. a method is GET, POST, PUT, PATCH, DELETE, HEAD, ANY or `*` (OPTIONS never reaches the
 *     authorizer: preflights carry no credentials and are answered without it);
 *  4. no two rules name the same path and method;
 *  5. no two paths put different variables at the same place of the tree (`/a/{x}` and
 *     `/a/{y}`, or `/a/{x}` and `/a/{x+}`): API Gateway allows one variable child per resource;
 *  6. a rule that API Gateway prefers for some request comes before the rules it overrides;
 *  7. where a more specific path overrides a broader rule, it has a rule for each method the
 *     broader one covers: otherwise API Gateway routes that method to a resource where no
 *     rule applies, while the table reads as if the broader rule did.
 *
 * Each problem names the routes involved by index, method and path.
 */
import type { RouteRuleConfig } from '../config';
import { isAnyMethod } from './route-rules';

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly text: string }
  | { readonly kind: 'greedy'; readonly text: string };

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** The methods a rule may name; ANY and `*` mean all of them. */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

const LITERAL_SEGMENT = /^[A-Za-z0-9._~:@!$&'()*+,;=-]+$/;
const VARIABLE_NAME = /^[A-Za-z0-9._-]+$/;

export interface RouteTableProblem {
  /** Where, relative to the resource's `routes`: [index] or [index, 'path' | 'method']. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The REST resource path of a URI's path: no trailing slash, `/` for the root. */
export function restResourcePath(uriPath: string): string {
  return uriPath.replace(/\/+$/, '') || '/';
}

function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/** The parsed segments, or a description of what is wrong with the path. */
function parsePath(path: string): Segment[] | string {
  if (!path.startsWith('/')) return 'must start with /';
  if (path !== '/' && path.endsWith('/')) return 'must not end with / (API Gateway resources have no trailing slash)';
  const raw = segmentsOf(path);
  const segments: Segment[] = [];
  for (const [i, text] of raw.entries()) {
    if (text === '') return 'must not have an empty segment (//)';
    const greedy = /^\{(.*)\+\}$/.exec(text);
    const param = /^\{(.*)\}$/.exec(text);
    if (greedy) {
      if (!VARIABLE_NAME.test(greedy[1]!)) return `segment ${text} must be {name+} with a name of letters, digits, . _ or -`;
      if (i !== raw.length - 1) return `{${greedy[1]}+} must be the last segment (a greedy path variable takes the rest of the path)`;
      segments.push({ kind: 'greedy', text });
    } else if (param) {
      if (!VARIABLE_NAME.test(param[1]!)) return `segment ${text} must be {name} with a name of letters, digits, . _ or -`;
      segments.push({ kind: 'param', text });
    } else {
      if (!LITERAL_SEGMENT.test(text) || text.includes('{') || text.includes('}')) return `segment "${text}" is not a literal path segment, {name} or {name+}`;
      segments.push({ kind: 'literal', text });
    }
  }
  return segments;
}

interface ParsedRoute {
  readonly index: number;
  readonly rule: RouteRuleConfig;
  readonly segments: readonly Segment[];
}

const describe = (route: ParsedRoute) => `routes[${route.index}] (${route.rule.method} ${route.rule.path})`;

/** Whether some request path matches both patterns. */
function overlap(a: readonly Segment[], b: readonly Segment[]): boolean {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x?.kind === 'greedy' || y?.kind === 'greedy') {
      // The greedy one takes the rest (at least one segment); the other needs nothing more, or fits after it.
      return (x !== undefined || y?.kind === 'greedy') && (y !== undefined || x?.kind === 'greedy');
    }
    if (x === undefined || y === undefined) return x === y;
    if (x.kind === 'literal' && y.kind === 'literal' && x.text !== y.text) return false;
  }
}

/** API Gateway's preference between two overlapping resources: at the first segment whose kinds differ, literal before {param} before {proxy+}; else the longer. */
function preferred(a: readonly Segment[], b: readonly Segment[]): 'a' | 'b' | 'same' {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = RANK[a[i]!.kind] - RANK[b[i]!.kind];
    if (difference !== 0) return difference < 0 ? 'a' : 'b';
  }
  if (a.length !== b.length) return a.length > b.length ? 'a' : 'b';
  return 'same';
}

/** A request path both patterns match, for the message. */
function examplePath(a: readonly Segment[], b: readonly Segment[]): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const literal = [x, y].find((s) => s?.kind === 'literal');
    parts.push(literal ? literal.text : 'x');
    if (x?.kind === 'greedy' && y === undefined) break;
    if (y?.kind === 'greedy' && x === undefined) break;
  }
  return `/${parts.join('/')}`;
}

function coversMethod(rules: readonly ParsedRoute[], method: string): boolean {
  return rules.some((r) => isAnyMethod(r.rule.method) || r.rule.method.toUpperCase() === method.toUpperCase());
}

/** Every way this route table is not what API Gateway routes; empty when it is. */
export function routeTableProblems(routes: readonly RouteRuleConfig[], resourcePath: string): RouteTableProblem[] {
  const problems: RouteTableProblem[] = [];
  const base = segmentsOf(restResourcePath(resourcePath));
  const parsed: ParsedRoute[] = [];
  routes.forEach((rule, index) => {
    const method = rule.method.toUpperCase();
    if (!isAnyMethod(method) && !(ROUTE_METHODS as readonly string[]).includes(method)) {
      problems.push({
        path: [index, 'method'],
        message: method === 'OPTIONS'
          ? 'OPTIONS never reaches the authorizer (CORS preflights carry no credentials and are answered without it): remove this rule'
          : `must be one of ${ROUTE_METHODS.join(', ')}, ANY or *`,
      });
    }
    const segments = parsePath(rule.path);
    if (typeof segments === 'string') {
      problems.push({ path: [index, 'path'], message: segments });
      return;
    }
    if (base.some((text, i) => segments[i]?.kind !== 'literal' || segments[i]?.text !== text)) {
      problems.push({ path: [index, 'path'], message: `must be the resource path ${restResourcePath(resourcePath)} or below it: the API serves that resource` });
      return;
    }
    parsed.push({ index, rule, segments });
  });

  const methodKey = (m: string) => (isAnyMethod(m) ? 'ANY' : m.toUpperCase());
  const seen = new Map<string, ParsedRoute>();
  const anyRuleOf = new Map<string, ParsedRoute>();
  for (const route of parsed) {
    const key = `${methodKey(route.rule.method)} ${route.rule.path}`;
    const first = seen.get(key);
    if (first) problems.push({ path: [route.index], message: `names the same method and path as ${describe(first)}: which rule applies would be ambiguous` });
    else seen.set(key, route);
    const anyRule = anyRuleOf.get(route.rule.path);
    if (isAnyMethod(route.rule.method)) anyRuleOf.set(route.rule.path, anyRule ?? route);
    else if (anyRule) problems.push({ path: [route.index], message: `must come before ${describe(anyRule)}: a rule for one method of a path applies before that path's ANY rule` });
  }

  const variableChild = new Map<string, ParsedRoute>();
  for (const route of parsed) {
    route.segments.forEach((segment, depth) => {
      if (segment.kind === 'literal') return;
      const parent = `/${route.segments.slice(0, depth).map((s) => s.text).join('/')}`;
      const other = variableChild.get(parent);
      if (!other) variableChild.set(parent, route);
      else if (other.segments[depth]!.text !== segment.text) {
        problems.push({ path: [route.index, 'path'], message: `puts ${segment.text} under ${parent}, where ${describe(other)} has ${other.segments[depth]!.text}: API Gateway allows one variable path part per resource, so use the same name` });
      }
    });
  }

  const rulesOn = new Map<string, ParsedRoute[]>();
  for (const route of parsed) rulesOn.set(route.rule.path, [...(rulesOn.get(route.rule.path) ?? []), route]);
  for (const broader of parsed) {
    for (const specific of parsed) {
      if (broader.rule.path === specific.rule.path || !overlap(broader.segments, specific.segments)) continue;
      if (preferred(broader.segments, specific.segments) !== 'b') continue;
      // API Gateway routes the paths both match to `specific`'s resource.
      const example = examplePath(broader.segments, specific.segments);
      if (specific.index > broader.index) {
        problems.push({ path: [specific.index], message: `must come before ${describe(broader)}: API Gateway routes ${example} to ${specific.rule.path}, not to ${broader.rule.path} (a literal segment before {param} before {proxy+})` });
      }
    }
    const overridden = new Set(parsed.filter((s) => s.rule.path !== broader.rule.path && overlap(broader.segments, s.segments) && preferred(broader.segments, s.segments) === 'b').map((s) => s.rule.path));
    const methods = isAnyMethod(broader.rule.method) ? ROUTE_METHODS : [broader.rule.method.toUpperCase()];
    for (const path of overridden) {
      const missing = methods.filter((method) => !coversMethod(rulesOn.get(path)!, method));
      if (!missing.length) continue;
      const example = examplePath(broader.segments, rulesOn.get(path)![0]!.segments);
      problems.push({
        path: [broader.index],
        message: `does not apply to ${missing.join(', ')} ${example}: API Gateway routes that path to ${path}, where no rule names ${missing.length > 1 ? 'these methods' : missing[0]}; add ${missing.length > 1 ? 'an ANY rule' : `a ${missing[0]} (or ANY) rule`} for ${path}`,
      });
    }
  }
  return problems;
}
