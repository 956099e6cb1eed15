/**
 * Flask-Dance (6.2: flask_dance/consumer/base.py, contrib/*.py): an OAuth consumer blueprint adds two rules as it is
 * made, `login_url` (default `/{bp.name}`) and `authorized_url` (default `/{bp.name}/authorized`), each for GET, with
 * `rule_kwargs` passed to both; `make_<provider>_blueprint(...)` makes one named after its provider.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, kwarg } from '../../python/ir';
import { Project, type Value } from '../../python/project';

export const DANCE_PACKAGE = 'flask_dance';
const PROVIDERS = [
  'atlassian', 'authentiq', 'azure', 'digitalocean', 'discord', 'dropbox', 'facebook', 'fitbit', 'github', 'gitlab', 'google', 'heroku', 'jira',
  'linkedin', 'meetup', 'nylas', 'orcid', 'osm', 'reddit', 'salesforce', 'slack', 'spotify', 'strava', 'twitch', 'twitter', 'zoho',
];
const FACTORIES = new Map(PROVIDERS.map((p) => [`flask_dance.contrib.${p}.make_${p}_blueprint`, p]));
const CONSUMERS = ['OAuth1ConsumerBlueprint', 'OAuth2ConsumerBlueprint'].flatMap((c) => [`flask_dance.consumer.${c}`, `flask_dance.consumer.${c.slice(0, 6).toLowerCase()}.${c}`]);
export const DANCE_BLUEPRINT_TYPES = [...CONSUMERS, ...FACTORIES.keys()];

export interface DanceRule {
  rule: Expr;
  endpoint: 'login' | 'authorized';
  unresolved: string[];
}

export function isDanceBlueprint(value: Value): value is Extract<Value, { kind: 'instance' }> {
  return Project.isInstance(value, DANCE_BLUEPRINT_TYPES);
}

/** The two rules of a Flask-Dance blueprint, as the call making it gives them; none for another object. */
export function danceRules(project: Project, blueprint: Value): DanceRule[] {
  if (!isDanceBlueprint(blueprint)) return [];
  const { call, ctx } = blueprint.site;
  const provider = blueprint.types.map((t) => FACTORIES.get(t)).find((p) => p);
  const named = argument(call, 0, 'name');
  const name = provider ?? (named && project.stringValue(named, ctx));
  const kwargs = kwarg(call, 'rule_kwargs');
  const unresolved = kwargs && kwargs.k !== 'none' ? [`\`rule_kwargs\` (${ctx.mod.file}) is passed to Flask's \`add_url_rule\` and not read`] : [];
  return (['login', 'authorized'] as const).map((endpoint) => {
    const given = kwarg(call, `${endpoint}_url`);
    const template = given && given.k !== 'none' ? project.stringValue(given, ctx) : endpoint === 'login' ? '/{bp.name}' : '/{bp.name}/authorized';
    const rule = template === undefined || (name === undefined && template.includes('{bp.name}')) ? undefined : template.replaceAll('{bp.name}', name ?? '');
    return { rule: rule === undefined ? given ?? named ?? call : { k: 'str', v: rule, loc: call.loc }, endpoint, unresolved };
  });
}

/** `make_google_blueprint(...)`, `OAuth2ConsumerBlueprint(...)`: by the name called, read first (every call is asked). */
export function makesDanceBlueprint(call: CallExpr): boolean {
  const named = call.fn.k === 'name' ? call.fn.id : call.fn.k === 'attr' ? call.fn.name : '';
  return /^make_\w+_blueprint$|ConsumerBlueprint$/.test(named);
}
