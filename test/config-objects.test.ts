import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
/**
 * A prefix from a config object's getter: a classmethod building the manager (`cls`), the config the manager's
 * `__init__` sets (`self.config`), a getter on a `dict` subclass returning `self.get("K", default)` (filled at run
 * time: the code's default), sliced with literal bounds.
 */
test('method calls bind self and cls; __init__ attributes, dict-subclass defaults and slices are read', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mk-'));
  const w = (f: string, t: string) => { mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); writeFileSync(path.join(dir, f), t); };
  w('pyproject.toml', '');
  w('app.py', `from fastapi import FastAPI, APIRouter
from conf import CONFIG
app = FastAPI()
r = APIRouter()
@r.get("/x")
def x():
    return 1
app.include_router(r, prefix=CONFIG.get_admin_path()[1:] + "/api")
app.include_router(r, prefix=CONFIG.get_admin_path())
app.include_router(r, prefix=Config().get_admin_path())
`);
  w('conf.py', `import os\n\n\nclass Config(dict):
    defaults = {"A": 1}

    def __init__(self, *args):
        super().__init__(*args)

    def __getitem__(self, item):
        return self.get(item)

    def __getattr__(self, item):
        return self.get(item)

    def get_admin_path(self):
        return self.get("ADMIN_PATH", "/admin")


class Manager:
    config_class = Config

    def __init__(self, root=None):
        self.config = self.config_class()

    @classmethod
    def load(cls, root=None, config_class=None):
        config_class = config_class or Config
        cls.config_class = config_class
        if not root:
            root = "/x"
        manager = cls(root=root)
        config_type = os.environ.get("CONFIG_TYPE")
        if config_type is None or config_type != "ENV":
            manager.load_from_yml()
        else:
            manager.load_from_env()
        config = manager.config
        return config


if os.getenv("MAXKB_CONFIG") is not None:
    CONFIG = Manager.load(root="/a")
else:
    CONFIG = Manager.load(root="/opt")
`);
  const r = await scan({ paths: [dir] });
  expect(r.routes.map((x) => x.path).sort()).toEqual(['/admin/x', 'admin/api/x', '{?}/x']); // a config made on the spot is not followed yet: unresolved, never a pick
});

test('a settings class picked from a dict keyed by Enum members, with the key the code defaults to', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-'));
  writeFileSync(path.join(dir, 'pyproject.toml'), '');
  writeFileSync(path.join(dir, 'app.py'), `from enum import Enum
from fastapi import APIRouter, FastAPI


class Env(Enum):
    dev = "dev"
    prod = "prod"


class Base:
    app_env: Env = Env.prod


class Prod(Base):
    api_prefix: str = "/api"


class Dev(Base):
    api_prefix: str = "/dev-api"


environments = {Env.dev: Dev, Env.prod: Prod}


def get_settings():
    return environments[Base().app_env]()


settings = get_settings()
app = FastAPI()
router = APIRouter()


@router.get("/x")
def x():
    return 1


app.include_router(router, prefix=settings.api_prefix)
`);
  expect((await scan({ paths: [dir] })).routes.map((r) => r.path)).toEqual(['/api/x']);
});

test('an attribute a method the project calls sets anew is not its class default alone; `a and b` with `a` false is `a`', async () => {
  // `self.prefix = prefix or "/api"` in a method called at import: the prefix is "" before, "/api" after, so not one
  // static text (it was the class default "", as if nothing set it); `version and "/v1"` with `version = ""` is "".
  const dir = mkdtempSync(path.join(os.tmpdir(), 'setter-'));
  writeFileSync(path.join(dir, 'pyproject.toml'), '');
  writeFileSync(path.join(dir, 'app.py'), `from fastapi import APIRouter, FastAPI


class Settings:
    prefix = ""

    def configure(self, prefix=None):
        self.prefix = prefix or "/api"


settings = Settings()
settings.configure()
version = ""
app = FastAPI()
configured = APIRouter()
versioned = APIRouter()


@configured.get("/a")
def a():
    return 1


@versioned.get("/b")
def b():
    return 1


app.include_router(configured, prefix=settings.prefix)
app.include_router(versioned, prefix=version and "/v1")
`);
  expect((await scan({ paths: [dir] })).routes.map((r) => r.path).sort()).toEqual(['/b', '{?}/a']);
});
