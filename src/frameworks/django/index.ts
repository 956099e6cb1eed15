/**
 * Django and Django REST framework: routes from each ROOT_URLCONF (urls.ts, views.ts), protected by
 * django-ratelimit (ratelimit.ts) and DRF throttling (drf-throttling.ts), per route and method.
 */
import { Project } from '../../python/project';
import type { Evidence, Route } from '../../model';
import { callSites, type Analyzer, type RouteDraft } from '../common';
import { dedupe, resolveMethods, type Contribution } from '../protection';
import { findDjangoProjects, type DjangoSettings } from './settings';
import { UrlWalker, type DjangoRouteContext } from './urls';
import { djangoRatelimit } from './ratelimit';
import { drfThrottling } from './drf-throttling';

const DJANGO_PACKAGES = ['django', 'rest_framework'];

export interface DjangoLibrary {
  protect(draft: RouteDraft<DjangoRouteContext>, method: string, evidence: Evidence[]): Contribution | undefined;
}

export type DjangoLibraryFactory = (project: Project, settings: DjangoSettings | undefined) => DjangoLibrary;

const LIBRARIES: DjangoLibraryFactory[] = [djangoRatelimit, drfThrottling];

export const django: Analyzer = {
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, DJANGO_PACKAGES))) return [];
    const sites = callSites(project);
    const walker = new UrlWalker(project, sites);
    const projects = findDjangoProjects(project, sites);
    for (const p of projects) if (p.urlconf) walker.walkRoot(p.urlconf, p.settings);
    // URLconfs no root reaches (an app scanned alone, an include we could not follow).
    const settings = projects.length === 1 ? projects[0].settings : undefined;
    for (const mod of project.modules) {
      if (!walker.reached.has(mod) && (mod.bindings[0] ?? []).some((b) => b.name === 'urlpatterns' && b.kind === 'assign')) walker.walkOrphan(mod, settings);
    }
    const resolvers = new Map<DjangoSettings | undefined, DjangoLibrary[]>();
    return walker.drafts.map((draft) => {
      const key = draft.context.settings;
      if (!resolvers.has(key)) resolvers.set(key, LIBRARIES.map((make) => make(project, key)));
      return protect(draft, resolvers.get(key) as DjangoLibrary[]);
    });
  },
};

function protect(draft: RouteDraft<DjangoRouteContext>, libraries: DjangoLibrary[]): Omit<Route, 'id'> {
  const { route } = draft;
  const here = { file: route.file, line: route.line };
  if (!draft.context.view) {
    return { ...route, status: 'unknown', limits: [], evidence: [{ ...here, message: 'the view cannot be read statically, so which limits apply is unknown' }] };
  }
  const evidence: Evidence[] = [];
  const methods = route.methods.filter((m) => !route.automaticMethods.includes(m));
  const { status, limits } = resolveMethods(methods, (method) =>
    libraries.map((l) => l.protect(draft, method, evidence)).filter((c): c is Contribution => c !== undefined),
  );
  if (status === 'unlimited' && !evidence.length) evidence.push({ ...here, message: 'no rate limit applies to this route' });
  return { ...route, status, limits, evidence: dedupe(evidence) };
}
