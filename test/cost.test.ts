/** The expensive-endpoint model on small in-memory projects: how calls resolve, how far helpers are followed, what stays silent. */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules, runRules } from '../src/scan';
import type { Route } from '../src/model';

function scanSources(files: Record<string, string>): Route[] {
  return analyzeModules(Object.entries(files).map(([file, source]) => extractFacts(pythonParser().parse(source).rootNode, file)));
}

/** `kind detail` of every call signal of the route at `path`. */
function calls(files: Record<string, string>, path: string, method?: string): string[] {
  const route = scanSources(files).find((r) => r.path === path && (!method || r.methods.includes(method)));
  if (!route) throw new Error(`no route ${path}`);
  return route.expensive.filter((s) => s.strength === 'call').map((s) => `${s.kind} ${s.detail}`);
}

const flaskApp = (body: string, head = ''): Record<string, string> => ({
  'app.py': `from flask import Flask\n${head}\napp = Flask(__name__)\n\n@app.route("/x", methods=["POST"])\ndef handler(user, data, pw, pattern):\n${body
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`,
});

test.each([
  ['from bcrypt import hashpw', 'hashpw(pw, salt)', 'password-hashing bcrypt.hashpw'],
  ['import bcrypt as b', 'b.hashpw(pw, salt)', 'password-hashing bcrypt.hashpw'],
  ['from passlib.context import CryptContext\nctx = CryptContext(schemes=["bcrypt"])', 'ctx.hash(pw)', 'password-hashing passlib.context.CryptContext.hash'],
  ['from openai import OpenAI\nclient = OpenAI()', 'client.chat.completions.create(model="m")', 'llm openai.OpenAI.chat.completions.create'],
  ['import twilio.rest\nsms = twilio.rest.Client()', 'sms.messages.create(to="1")', 'outbound-sms twilio.rest.Client.messages.create'],
  ['import stripe', 'stripe.PaymentIntent.create(amount=1)', 'payment stripe.PaymentIntent.create'],
  ['import requests', 'requests.post("https://x")', 'outbound-http requests.post'],
  ['import httpx', 'with httpx.Client() as http:\n    http.get("https://x")', 'outbound-http httpx.Client.get'],
  ['import boto3', 'boto3.client("sns").publish(PhoneNumber="+1", Message="m")', 'outbound-sms boto3.client.publish'],
  ['import pyotp', 'pyotp.TOTP(data).verify(pw)', 'otp pyotp.TOTP.verify'],
  ['from django.core.mail import send_mail', 'send_mail("s", "m", "a", [user])', 'outbound-email django.core.mail.send_mail'],
  ['import subprocess as sp', 'sp.run(["ls"])', 'subprocess subprocess.run'],
  ['import re', 're.compile(pattern)', 'cpu-trap re.compile'],
  ['', 'user.set_password(pw)', 'password-hashing user.set_password'],
  ['', 'Book.objects.filter(title__icontains=data)', 'search title__icontains='],
  ['', 'Book.objects.order_by("?")', 'heavy-query Book.objects.order_by'],
  ['', 'connection.cursor().execute(data)', 'raw-sql connection.cursor().execute'],
  ['', 'self.anthropic_client.messages.create(model="m")', 'llm self.anthropic_client.messages.create'],
  ['', 'captcha.verify(data)', 'captcha captcha.verify'],
  ['from sentence_transformers import SentenceTransformer\nmodel = SentenceTransformer("m")', 'model.encode(data)', 'ml-inference sentence_transformers.SentenceTransformer.encode'],
  ['', 'self.models.embedder.encode(data)', 'ml-inference self.models.embedder.encode'],
])('%s: `%s` is %s', (head, body, expected) => {
  expect(calls(flaskApp(body, head), '/x')).toEqual([expected]);
});

test.each([
  ['a local function named like a library one', 'def send(x):\n    return x', 'send(data)'],
  ['dict.get', '', 'data.get("k")'],
  ['an object named requests that is not the library', 'class Log:\n    def post(self, x):\n        return x\nrequests = Log()', 'requests.post(data)'],
  ['.messages.create on a receiver not named like a client', '', 'client.messages.create(to="1")'],
  ['.hash on a receiver not named like a hasher', '', 'data.hash(pw)'],
  ['a regular expression from a constant', 'import re\nPATTERN = r"\\d+"', 're.compile(PATTERN)'],
  ['order_by a field', '', 'Book.objects.order_by("-id")'],
  ['.encode on a value read through an ORM models module', 'from django.db import models\nrow = models.QuerySet().first()', 'row.get_bytes().encode()'],
  ['.invoke on a value read through an ORM models module', 'from django.db import models\nrow = models.QuerySet().first()', 'row.invoke()'],
  ['.encode on a field of a Django model fetched by its manager', 'from django.db import models\nclass Account(models.Model):\n    password = models.CharField()', 'Account.objects.get(pk=1).password.encode("ascii")'],
  ['.encode on the id of an instance of a library model', 'from django.db import models\nthing = user or models.Model()', 'thing.id.encode("utf-8")'],
  ['.encode on text read off a pydantic model', 'from pydantic import BaseModel\nclass File(BaseModel):\n    content: str\nfile = File(content="x")', 'file.content.encode("utf-8")'],
])('no signal for %s', (_what, head, body) => {
  expect(calls(flaskApp(body, head), '/x')).toEqual([]);
});

test('helpers are followed across modules up to the depth bound, and a cycle between them ends', () => {
  const files = {
    'app.py': `from flask import Flask
from services import one
app = Flask(__name__)

@app.route("/x", methods=["POST"])
def handler():
    one()
`,
    'services.py': `import subprocess, smtplib, os
from helpers import three

def one():
    smtplib.SMTP("h").sendmail("a", "b", "m")
    two()

def two():
    three()
    one()

def four():
    subprocess.run(["deep"])
`,
    'helpers.py': `import os
import services

def three():
    os.system("depth 3")
    services.four()
`,
  };
  expect(calls(files, '/x')).toEqual(['subprocess os.system', 'outbound-email smtplib.SMTP.sendmail']);
  const signal = scanSources(files)[0].expensive.find((s) => s.kind === 'subprocess');
  expect(signal).toMatchObject({ file: 'helpers.py', line: 5, strength: 'call' });
});

test('deferred work follows the task it enqueues', () => {
  const files = {
    'main.py': `from fastapi import BackgroundTasks, FastAPI
from tasks import send_welcome, rebuild_index
app = FastAPI()

@app.post("/signup")
def signup(background_tasks: BackgroundTasks):
    background_tasks.add_task(send_welcome, "a@b.c")
    rebuild_index.delay()
`,
    'tasks.py': `from celery import shared_task
from django.core.mail import send_mail
import subprocess

def send_welcome(to):
    send_mail("hi", "welcome", "x@y.z", [to])

@shared_task
def rebuild_index():
    subprocess.run(["reindex"])
`,
  };
  expect(calls(files, '/signup')).toEqual([
    'deferred-work background_tasks.add_task',
    'deferred-work rebuild_index.delay',
    'outbound-email django.core.mail.send_mail',
    'subprocess subprocess.run',
  ]);
});

test('a class view contributes the methods serving the route: handlers, DRF actions and hooks, self helpers included', () => {
  const flask = {
    'app.py': `from flask import Flask
from flask.views import MethodView
import requests, subprocess
app = Flask(__name__)

class Items(MethodView):
    def get(self):
        return self.fetch()

    def fetch(self):
        return requests.get("https://x")

    def unused(self):
        subprocess.run(["x"])

app.add_url_rule("/items", view_func=Items.as_view("items"))
`,
  };
  expect(calls(flask, '/items')).toEqual(['outbound-http requests.get']);
  const drf = {
    'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\n',
    'proj/urls.py': `from rest_framework.routers import SimpleRouter
from proj.views import BookViewSet
router = SimpleRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = router.urls
`,
    'proj/views.py': `import csv, requests, subprocess
from django.core.mail import send_mail
from rest_framework import viewsets
from rest_framework.decorators import action

class BookViewSet(viewsets.ModelViewSet):
    def get_queryset(self):
        return Book.objects.filter(title__icontains="x")

    def perform_create(self, serializer):
        send_mail("new", "book", "a@b.c", ["d@e.f"])

    def perform_destroy(self, instance):
        subprocess.run(["purge"])

    @action(detail=False, url_path="export-all")
    def export(self, request):
        return csv.writer(request)
`,
  };
  expect(calls(drf, '/books/', 'GET')).toEqual(['search title__icontains=', 'outbound-email django.core.mail.send_mail']);
  expect(calls(drf, '/books/(?P<pk>[^/.]+)/', 'DELETE')).toEqual(['search title__icontains=', 'subprocess subprocess.run']);
  expect(calls(drf, '/books/export-all/')).toEqual(['data-export csv.writer']);
});

test('parameter types and decorators of the handler count: uploads, and response caching as a mitigation', () => {
  const files = {
    'main.py': `from fastapi import FastAPI, File, UploadFile
app = FastAPI()

@app.post("/files")
async def upload(file: UploadFile = File(...)):
    return {}
`,
  };
  expect(calls(files, '/files')).toEqual(['file-upload fastapi.File', 'file-upload fastapi.UploadFile']);
  const cached = {
    'app.py': `from flask import Flask
from flask_caching import Cache
app = Flask(__name__)
cache = Cache(app)

@app.route("/stats")
@cache.cached(timeout=60)
def stats():
    return "ok"
`,
  };
  expect(calls(cached, '/stats')).toEqual(['response-cache flask_caching.Cache.cached']);
});

test('signals are sorted, calls first, and call evidence sets the AP001 severity and reasons', () => {
  const routes = scanSources(flaskApp('import bcrypt\nbcrypt.checkpw(pw, data)'));
  expect(routes[0].expensive.map((s) => s.strength)).toEqual(['call']);
  const [finding] = runRules(routes);
  expect(finding.severity).toBe('error');
  expect(finding.message).toBe('`POST /x` has no rate limit (auth-sensitive: password-hashing)');
  expect(finding.related.map((r) => r.message)).toContain('password-hashing: `bcrypt.checkpw`');
  const hinted = scanSources({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/export/report")\ndef export_csv():\n    return ""\n' });
  expect(hinted[0].expensive.map((s) => `${s.strength} ${s.kind} ${s.detail}`)).toEqual(['hint heavy export', 'hint heavy report', 'hint heavy csv']);
  expect(runRules(hinted)[0].message).toBe('`GET /export/report` has no rate limit (expensive: `csv`, `export`, `report`)');
});
