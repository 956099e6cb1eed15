/**
 * Django and Django REST framework: routes from each ROOT_URLCONF (urls.ts, views.ts), protected by
 * django-ratelimit (ratelimit.ts), DRF throttling (drf-throttling.ts) and django-allauth's own limits (allauth.ts),
 * per route and method.
 */
import { Project, type ExternalNames } from '../../python/project';
import type { AnalyzedRoute } from '../../model';
import { callSites, calling, protectNoting, setsAttribute, statementSites, type Analyzer, type RouteDraft } from '../common';
import { protectRoute } from '../protection';
import type { LimiterLibrary } from '../library';
import { findDjangoProjects, namesSettingsIn, type DjangoSettings } from './settings';
import { extendsRegistry, UrlWalker, type DjangoRouteContext } from './urls';
import { djangoRatelimit } from './ratelimit';
import { DRF_API_SETTINGS, drfThrottling } from './drf-throttling';
import { allauthLimits } from './allauth';
import { channelsMounts, consumerProtection } from './channels';

const DJANGO_PACKAGES = ['django', 'rest_framework', 'channels'];
// Without the project's settings, `settings.X` is Django's library attribute.
const NO_SETTINGS: ExternalNames = { values: () => undefined, definition: () => undefined };
const TEST_MODULE = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_tests?|conftest)\.py$/;

/** What a Django limiter library's resolver is built from: the project's settings and the routes it will protect. */
export interface DjangoScope {
  settings: DjangoSettings | undefined;
  drafts: RouteDraft<DjangoRouteContext>[];
}
export type DjangoLibrary = LimiterLibrary<DjangoRouteContext, DjangoScope>;

export const DJANGO_LIBRARIES: DjangoLibrary[] = [djangoRatelimit, drfThrottling, allauthLimits];

export const django: Analyzer = {
  packages: DJANGO_PACKAGES,
  settingsObjects: [DRF_API_SETTINGS],
  settingNames(project) {
    if (!project.modules.some((m) => Project.imports(m, DJANGO_PACKAGES))) return undefined;
    const projects = findDjangoProjects(project, statementSites(project, namesSettingsIn(project)));
    return projects.length === 1 ? projects[0].settings : undefined;
  },
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, DJANGO_PACKAGES))) return [];
    // A router's `register` calls, `router.trailing_slash = ...` and the registries it joins, read before any settings apply.
    const walker = new UrlWalker(project, callSites(project, (call) => calling(call, ['register']) || setsAttribute(call, 'trailing_slash') || extendsRegistry(call)));
    const projects = findDjangoProjects(project, callSites(project, namesSettingsIn(project)));
    const routes: AnalyzedRoute[] = [];
    // Each project is read with its own settings: `settings.X` in URLconfs and views means its value there.
    const analyse = (settings: DjangoSettings | undefined, walk: () => void): void => {
      project.withExternalNames(settings ?? NO_SETTINGS, () => {
        const first = walker.drafts.length;
        walk();
        const drafts = walker.drafts.slice(first);
        const libraries = DJANGO_LIBRARIES.map((l) => l.resolver(project, { settings, drafts })).filter((r) => r !== undefined);
        const protect = (d: RouteDraft<DjangoRouteContext>): AnalyzedRoute =>
          d.route.kind === 'websocket' ? consumerProtection(d.route) : protectRoute(d, libraries, d.context.view ? undefined : 'the view cannot be read statically, so which limits apply is unknown');
        routes.push(...drafts.map((draft) => protectNoting(project, draft, protect)));
      });
    };
    for (const p of projects) analyse(p.settings, () => walker.walkRoot(p.urlconf, p.settings, p.host));
    const settings = projects.length === 1 ? projects[0].settings : undefined;
    analyse(settings, () => walker.walkNotServed(settings));
    // Django Channels' routers, those a ProtocolTypeRouter mounts first: one nested in another's patterns is walked there.
    const mounts = channelsMounts(project).sort((a, b) => Number(!a.protocol) - Number(!b.protocol));
    analyse(settings, () => {
      for (const mount of mounts) if (!walker.routersWalked.has(mount.call)) walker.walkChannels(mount, settings);
    });
    // URLconfs no root reaches (an app scanned alone, an include we could not follow); test URLconfs are not served.
    // A URLconf whose patterns a root lists through another module (`from docs.urls import urlpatterns`) is reached too.
    const declaring = new Set(walker.drafts.map((d) => d.route.file));
    const orphans = project.modules.filter((m) => !walker.reached.has(m) && !declaring.has(m.file) && !TEST_MODULE.test(m.file) && (m.bindings[0] ?? []).some((b) => b.name === 'urlpatterns' && b.kind === 'assign'));
    // Outer URLconfs first, so one that includes another lists the inner routes under its prefix.
    orphans.sort((a, b) => a.file.split('/').length - b.file.split('/').length);
    analyse(settings, () => {
      for (const mod of orphans) if (!walker.reached.has(mod)) walker.walkOrphan(mod, settings);
    });
    return routes;
  },
};
