/**
 * URLs a project's ModelAdmin adds of its own (`get_urls` returning `[path("export/", ...)] + super().get_urls()`):
 * Django serves them on the admin site the ModelAdmin is registered with, under `<app_label>/<model_name>/`
 * (django/contrib/admin/sites.py `AdminSite.get_urls`). The admin's standard pages stay one mount.
 */
import type { Expr, Loc } from '../../python/ir';
import { argument, kwarg, lineOf } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { functionDefinedIn } from '../../python/module-index';
import { decoratorName, type CallSite } from '../common';

const ADMIN_SITES = ['django.contrib.admin.site', 'django.contrib.admin.sites.site'];
const ADMIN_SITE_CLASSES = ['django.contrib.admin.AdminSite', 'django.contrib.admin.sites.AdminSite'];
const REGISTER_DECORATORS = ['django.contrib.admin.register', 'django.contrib.admin.decorators.register'];
const APP_CONFIGS = ['django.apps.AppConfig', 'django.apps.config.AppConfig'];

/**
 * One model registered with a ModelAdmin that adds URLs: by a `get_urls` of the project's (walked with `self` the
 * ModelAdmin class, whose methods are the views), or django.contrib.auth's UserAdmin's password page.
 */
export interface AdminUrls {
  modelPath: string | undefined; // `store/order/`
  why?: string; // when modelPath is undefined
  urls: { getUrls: FunctionRef; self: { expr: Expr; ctx: Ctx } } | 'user-password';
  at: { ctx: Ctx; loc: Loc }; // the registration
}

/** What the admin site's URLs depend on in the settings. */
export interface AdminSettings {
  installedApps: string[] | undefined;
  userModel: string | undefined; // AUTH_USER_MODEL
}

const USER_ADMIN = 'django.contrib.auth.admin.UserAdmin';
const AUTH_USER = 'auth.User';
const GET_USER_MODEL = 'django.contrib.auth.get_user_model';

/** Whether a value is the default admin site (`admin.site`), or which site instance it is. */
function siteKey(values: Value[]): string | undefined {
  const value = values.find((v) => (v.kind === 'external' && ADMIN_SITES.includes(v.qname)) || Project.isInstance(v, ADMIN_SITE_CLASSES));
  return value?.kind === 'instance' ? value.site.key : value ? 'default' : undefined;
}

export function isAdminSite(values: Value[]): boolean {
  return siteKey(values) !== undefined;
}

/**
 * The models registered on the site `site` resolves to with a ModelAdmin that adds URLs: by `@admin.register(Model,
 * site=...)` on the class or `site.register(Model or [Models], AdminClass)` (`registerSites`: the project's
 * `.register(...)` calls); on the default site also django.contrib.auth's own User, unless the project unregisters a
 * model there (and then registers its own admin for it, read as the project's).
 */
export function adminUrls(project: Project, registerSites: CallSite[], site: Value[], settings: AdminSettings, mount: { ctx: Ctx; loc: Loc }): AdminUrls[] {
  const key = siteKey(site);
  const found: AdminUrls[] = [];
  const add = (models: Expr[], ctx: Ctx, urls: AdminUrls['urls'] | undefined, loc: Loc): void => {
    if (urls) for (const model of models) found.push({ ...modelPath(project, project.resolve(model, ctx), settings), urls, at: { ctx, loc } });
  };
  for (const mod of project.modules) {
    for (const cls of mod.classes) {
      const ctx = { mod, scope: cls.scope, line: lineOf(cls.loc) };
      for (const d of cls.decorators) {
        if (d.k !== 'call' || !REGISTER_DECORATORS.includes(decoratorName(project, d, ctx) ?? '')) continue;
        const on = kwarg(d, 'site');
        if ((on ? siteKey(project.resolve(on, ctx)) : 'default') !== key) continue;
        add(d.args, ctx, ownUrls(project, { mod, cls }, { expr: { k: 'name', id: cls.name, loc: cls.loc }, ctx }), d.loc);
      }
    }
  }
  for (const { call, ctx } of registerSites) {
    const [models, adminExpr] = [argument(call, 0, 'model_or_iterable'), argument(call, 1, 'admin_class')];
    if (call.fn.k !== 'attr' || !models || !adminExpr || siteKey(project.resolve(call.fn.obj, ctx)) !== key) continue;
    const [admin, ...others] = project.resolve(adminExpr, ctx);
    const urls = others.length ? undefined : admin?.kind === 'class' ? ownUrls(project, admin.ref, { expr: adminExpr, ctx }) : admin?.kind === 'external' && admin.qname === USER_ADMIN ? 'user-password' : undefined;
    add(models.k === 'seq' ? models.items : [models], ctx, urls, call.loc);
  }
  const authUser = settings.installedApps?.includes('django.contrib.auth') && (settings.userModel ?? AUTH_USER) === AUTH_USER;
  if (key === 'default' && authUser && !unregistersOnDefaultSite(project)) found.push({ modelPath: 'auth/user/', urls: 'user-password', at: mount });
  return found;
}

/** The URLs a project ModelAdmin class adds: by its own or a project base's `get_urls`, or as a UserAdmin. */
function ownUrls(project: Project, admin: ClassRef, self: { expr: Expr; ctx: Ctx }): AdminUrls['urls'] | undefined {
  const own = project.classChain(admin).map((r) => ({ mod: r.mod, fn: functionDefinedIn(r.mod, r.cls.bodyScope, 'get_urls') })).find((r) => r.fn);
  if (own?.fn) return { getUrls: { mod: own.mod, fn: own.fn }, self };
  return project.externalBases(admin).includes(USER_ADMIN) ? 'user-password' : undefined;
}

function unregistersOnDefaultSite(project: Project): boolean {
  return project.modules.some((mod) =>
    mod.calls.some(({ call, scope }) => call.fn.k === 'attr' && call.fn.name === 'unregister' && siteKey(project.resolve(call.fn.obj, { mod, scope, line: lineOf(call.loc) })) === 'default'),
  );
}

/** `<app_label>/<model_name>/` of a model class, as Django's `Options` sets them; `get_user_model()` is AUTH_USER_MODEL's. */
function modelPath(project: Project, values: Value[], { installedApps, userModel }: AdminSettings): Pick<AdminUrls, 'modelPath' | 'why'> {
  const [model, ...others] = values;
  if (!others.length && model && Project.isInstance(model, [GET_USER_MODEL])) {
    const [label, name] = (userModel ?? AUTH_USER).split('.');
    return { modelPath: `${label}/${name.toLowerCase()}/` };
  }
  if (others.length || (model?.kind !== 'class' && model?.kind !== 'external')) return { modelPath: undefined, why: 'the model registered with it cannot be read statically' };
  const [module, name] = model.kind === 'class' ? [model.ref.mod.module, model.ref.cls.name] : [model.qname.slice(0, model.qname.lastIndexOf('.')), model.qname.slice(model.qname.lastIndexOf('.') + 1)];
  const meta = model.kind === 'class' ? model.ref.mod.classes.find((c) => c.scope === model.ref.cls.bodyScope && c.name === 'Meta') : undefined;
  const label = (meta && model.kind === 'class' ? literalText(project, { mod: model.ref.mod, cls: meta }, 'app_label') : undefined) ?? appLabel(project, module, installedApps);
  return label === undefined ? { modelPath: undefined, why: `the app \`${name}\` belongs to cannot be told from its module \`${module}\`` } : { modelPath: `${label}/${name.toLowerCase()}/` };
}

/**
 * The label of the app a model module belongs to: the installed app whose name is the longest prefix of the module
 * (without INSTALLED_APPS, the closest package around it with a `models` or `apps` module, or a library's package
 * holding its `models`), its AppConfig's `label`
 * when one sets it, else the name's last part (django/apps/config.py).
 */
function appLabel(project: Project, module: string, installedApps: string[] | undefined): string | undefined {
  const configs = (installedApps ?? []).map((entry) => appConfigNamed(project, entry) ?? { name: entry, label: undefined });
  const within = (name: string): boolean => module === name || module.startsWith(`${name}.`);
  const [installed] = configs.filter((c) => within(c.name)).sort((a, b) => b.name.length - a.name.length);
  const parts = module.split('.');
  const packages = parts.map((_, i) => parts.slice(0, parts.length - 1 - i).join('.')).filter(Boolean);
  const modelsPackage = parts.includes('models') ? parts.slice(0, parts.lastIndexOf('models')).join('.') : undefined; // a library's `app.models`
  const name = installed?.name ?? packages.find((p) => project.findModule(`${p}.models`) || project.findModule(`${p}.apps`)) ?? modelsPackage;
  if (!name) return undefined;
  return installed?.label ?? appConfigOf(project, name)?.label ?? name.slice(name.lastIndexOf('.') + 1);
}

/** `shop.apps.ShopConfig` in INSTALLED_APPS: the app's name and label as the AppConfig class sets them. */
function appConfigNamed(project: Project, entry: string): { name: string; label?: string } | undefined {
  const mod = project.findModule(entry.slice(0, entry.lastIndexOf('.')));
  const cls = mod?.classes.find((c) => c.scope === 0 && c.name === entry.slice(entry.lastIndexOf('.') + 1));
  return mod && cls ? appConfig(project, { mod, cls }) : undefined;
}

/** The AppConfig of the app `name` in its `apps` module, as Django finds one when INSTALLED_APPS names the package. */
function appConfigOf(project: Project, name: string): { name: string; label?: string } | undefined {
  const mod = project.findModule(`${name}.apps`);
  if (!mod) return undefined;
  return mod.classes.filter((c) => c.scope === 0).map((cls) => appConfig(project, { mod, cls })).find((c) => c?.name === name);
}

function appConfig(project: Project, ref: ClassRef): { name: string; label?: string } | undefined {
  if (!project.externalBases(ref).some((q) => APP_CONFIGS.includes(q))) return undefined;
  const name = literalText(project, ref, 'name');
  return name === undefined ? undefined : { name, label: literalText(project, ref, 'label') };
}

function literalText(project: Project, ref: ClassRef, attribute: string): string | undefined {
  const found = project.literalAttribute(ref, attribute);
  return found?.expr.k === 'str' ? found.expr.v : undefined;
}
