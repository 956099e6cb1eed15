/**
 * django-allauth's own rate limits: its account views count unsafe requests per action (`@rate_limit(action=...)`,
 * allauth/decorators.py; GET is never counted) under `ACCOUNT_RATE_LIMITS`, from 0.50 on; before that only failed
 * logins were limited (`ACCOUNT_LOGIN_ATTEMPTS_LIMIT`). The rates, their keys and how a project's dict combines
 * with the defaults changed across versions (replaced before 0.61, merged since), so a limit allauth keeps is
 * reported `unknown` with its action; one the settings switch off is reported as such.
 */
import { versionSide } from '../../manifests';
import type { DjangoLibrary } from '.';
import { contribution } from '../protection';
import type { LibraryDescriptor } from '../library';

const DESCRIPTOR: LibraryDescriptor = {
  id: 'django-allauth',
  name: 'django-allauth',
  distribution: 'django-allauth',
  packages: ['allauth'],
  debian: 'python3-django-allauth',
  counting: 'fixed-window',
  rejection: { status: 429, retryAfter: false },
};

// Actions whose limit a `None` entry alone does not remove: failed logins are counted under their own action.
const COMPANIONS: Record<string, string[]> = { login: ['login', 'login_failed'] };

const resolver: DjangoLibrary['resolver'] = (project, { settings }) => {
  const version = project.metadata.packages.get('django-allauth');
  const beforeRateLimits = versionSide(version, '0.50') === 'below';
  const limits = settings?.read('ACCOUNT_RATE_LIMITS');
  return {
    protect(draft, method) {
      return contribution((evidence) => {
        const action = draft.context.view?.allauthAction;
        if (!action || method === 'GET' || method === 'HEAD') return undefined;
        const here = { file: draft.route.file, line: draft.route.line };
        if (beforeRateLimits && action !== 'login') return undefined;
        if (limits?.kind === 'value' && limits.expr.k === 'bool' && !limits.expr.v) {
          evidence.push({ ...limits.at, message: '`ACCOUNT_RATE_LIMITS = False` switches django-allauth\'s own rate limits off', concern: 'disabled' });
          return { limits: [] };
        }
        const keys = COMPANIONS[action] ?? [action];
        if (settings && keys.every((key) => { const entry = settings.entry('ACCOUNT_RATE_LIMITS', key); return entry.kind === 'value' && entry.expr.k === 'none'; })) {
          evidence.push({ ...(limits?.kind === 'value' ? limits.at : here), message: `\`ACCOUNT_RATE_LIMITS\` sets ${keys.map((k) => `\`${k}\``).join(' and ')} to None: django-allauth does not limit this view` });
          return { limits: [] };
        }
        const what = beforeRateLimits ? 'failed logins (`ACCOUNT_LOGIN_ATTEMPTS_LIMIT`)' : `action \`${action}\` (\`ACCOUNT_RATE_LIMITS\`)`;
        evidence.push({ ...here, message: `django-allauth rate-limits this view itself, ${what}; its rates depend on the allauth version and settings and are not evaluated` });
        return { limits: [], unknown: true };
      });
    },
  };
};

export const allauthLimits: DjangoLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
