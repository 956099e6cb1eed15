/**
 * URLs a ModelAdmin adds of its own (`get_urls`) are served on the admin site it is registered with, under
 * `<app_label>/<model_name>/`: the label an AppConfig or the model's Meta sets, the class name in lower case. The
 * paths below are the ones Django 3.2 lists for the same projects (django.urls.get_resolver walked).
 */
import { scanFiles } from './support/project';

const MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n';
const settings = (apps: string[], extra = ''): string =>
  `SECRET_KEY = "x"\nROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ${JSON.stringify(['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', ...apps])}\n${extra}`;

async function adminPaths(files: Record<string, string>): Promise<string[]> {
  const result = await scanFiles({ 'manage.py': MANAGE, 'proj/__init__.py': '', ...files });
  expect(result.unresolvedRegistrations).toEqual([]);
  return result.routes.map((r) => `${r.methods.length === 8 ? 'ANY' : r.methods.join(',')} ${r.path}${r.unresolved.length ? ' (unresolved)' : ''}`).sort();
}

test("a ModelAdmin's own URLs are under its model's app label and name, on the site it is registered with", async () => {
  const paths = await adminPaths({
    'proj/settings.py': settings(['shop.apps.ShopConfig']),
    'proj/urls.py': 'from django.contrib import admin\nfrom django.urls import path\nfrom shop.admin import staff\n\nurlpatterns = [path("manage/", admin.site.urls), path("staff/", staff.urls)]\n',
    'shop/__init__.py': '',
    'shop/apps.py': 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n',
    'shop/models/__init__.py': 'from .orders import Order, Refund\n',
    'shop/models/orders.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    pass\n\n\nclass Refund(models.Model):\n    class Meta:\n        app_label = "money"\n',
    'shop/admin.py': [
      'from django.contrib import admin',
      'from django.urls import path',
      'from .models import Order, Refund',
      '',
      'staff = admin.AdminSite(name="staff")',
      '',
      '@admin.register(Order)',
      'class OrderAdmin(admin.ModelAdmin):',
      '    def get_urls(self):',
      '        urls = super().get_urls()',
      '        urls.insert(0, path("<path:object_id>/refund/", self.admin_site.admin_view(self.refund)))',
      '        return [path("export/", self.admin_site.admin_view(self.export))] + urls',
      '',
      '    def export(self, request):',
      '        return None',
      '',
      '    def refund(self, request, object_id):',
      '        return None',
      '',
      'class RefundAdmin(admin.ModelAdmin):',
      '    def get_urls(self):',
      '        return [path("sum/", self.admin_site.admin_view(self.total))] + super().get_urls()',
      '',
      '    def total(self, request):',
      '        return None',
      '',
      'staff.register([Refund], RefundAdmin)',
      '',
    ].join('\n'),
  });
  expect(paths).toEqual([
    'ANY /manage/',
    'ANY /manage/auth/user/<id>/password/',
    'ANY /manage/store/order/<path:object_id>/refund/',
    'ANY /manage/store/order/export/',
    'ANY /staff/',
    'ANY /staff/money/refund/sum/',
  ]);
});

test("UserAdmin's password page follows the user model: a swapped one's admin, never auth's when it is unregistered", async () => {
  const accounts = {
    'accounts/__init__.py': '',
    'accounts/models.py': 'from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n',
  };
  const urls = 'from django.contrib import admin\nfrom django.urls import path\n\nurlpatterns = [path("admin/", admin.site.urls)]\n';
  const swapped = await adminPaths({
    ...accounts,
    'proj/settings.py': settings(['accounts'], 'AUTH_USER_MODEL = "accounts.User"\n'),
    'proj/urls.py': urls,
    'accounts/admin.py': 'from django.contrib import admin\nfrom django.contrib.auth import get_user_model\nfrom django.contrib.auth.admin import UserAdmin\n\nadmin.site.register(get_user_model(), UserAdmin)\n',
  });
  expect(swapped).toEqual(['ANY /admin/', 'ANY /admin/accounts/user/<id>/password/']);
  const replaced = await adminPaths({
    'proj/settings.py': settings(['proj']),
    'proj/urls.py': urls,
    'proj/admin.py': 'from django.contrib import admin\nfrom django.contrib.auth.models import User\n\nadmin.site.unregister(User)\nadmin.site.register(User, admin.ModelAdmin)\n',
  });
  expect(replaced).toEqual(['ANY /admin/']);
  // INSTALLED_APPS the scan cannot read: a library model's app is the package its `models` module is in.
  const subclassed = await adminPaths({
    'proj/settings.py': 'import os\nSECRET_KEY = "x"\nROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "proj"] + os.environ.get("APPS", "").split()\n',
    'proj/urls.py': urls,
    'proj/admin.py': 'from django.contrib import admin\nfrom django.contrib.auth.admin import UserAdmin\nfrom django.contrib.auth.models import User\n\n\nclass StaffAdmin(UserAdmin):\n    pass\n\n\nadmin.site.unregister(User)\nadmin.site.register(User, StaffAdmin)\n',
  });
  expect(subclassed).toEqual(['ANY /admin/', 'ANY /admin/auth/user/<id>/password/']);
});
