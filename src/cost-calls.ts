/**
 * What makes an endpoint expensive or abuse-prone (reference part E), as data: library calls by kind and the
 * path or handler-name words that hint at a category of work. src/cost.ts reads these tables; supporting a
 * new library is a new entry here, never new code.
 */
import type { CostSignal } from './model';

/** Kinds of cost a call shows. Rules test these (e.g. "does this route send email or SMS?"). */
export const COST_KINDS = [
  'password-hashing', 'otp', 'token-issuing',
  'outbound-email', 'outbound-sms', 'outbound-push',
  'payment',
  'outbound-http', 'llm', 'ml-inference', 'document-generation', 'data-export', 'media-processing',
  'subprocess', 'archive', 'file-upload', 'cloud-storage', 'raw-sql', 'heavy-query', 'search', 'deferred-work', 'cpu-trap',
  'response-cache', 'captcha', // mitigations (reference E.3): they lower the cost, they never replace a limit
] as const;
export type CostKind = (typeof COST_KINDS)[number];

/** Kinds that send a message to someone: the routes that need a daily cap (AP002). */
export const MESSAGING_KINDS: readonly string[] = ['outbound-email', 'outbound-sms'] satisfies CostKind[];

/** Categories (reference E.1). A hint signal's kind is its category, since a word tells no more than that. */
export const COST_CATEGORIES = ['auth', 'money', 'messaging', 'heavy', 'mitigation'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

const KIND_CATEGORY: Record<CostKind, CostCategory> = {
  'password-hashing': 'auth', otp: 'auth', 'token-issuing': 'auth',
  'outbound-email': 'messaging', 'outbound-sms': 'messaging', 'outbound-push': 'messaging',
  payment: 'money',
  'outbound-http': 'heavy', llm: 'heavy', 'ml-inference': 'heavy', 'document-generation': 'heavy', 'data-export': 'heavy',
  'media-processing': 'heavy', subprocess: 'heavy', archive: 'heavy', 'file-upload': 'heavy', 'cloud-storage': 'heavy',
  'raw-sql': 'heavy', 'heavy-query': 'heavy', search: 'heavy', 'deferred-work': 'heavy', 'cpu-trap': 'heavy',
  'response-cache': 'mitigation', captcha: 'mitigation',
};

export function categoryOf(signal: Pick<CostSignal, 'kind' | 'strength'>): CostCategory {
  return signal.strength === 'hint' ? (signal.kind as CostCategory) : KIND_CATEGORY[signal.kind as CostKind];
}

export interface CostCall {
  kind: CostKind;
  /**
   * Qualified names as the scanned module's imports resolve them. A name after a class or factory is a
   * method of what it returns: `passlib.context.CryptContext.hash` matches `ctx.hash(...)` after
   * `ctx = CryptContext(...)`. A library view used as a route handler matches by its name too.
   * `{a,b}` spells alternatives.
   */
  names?: string[];
  /** Method chains matched on the call as written, for receivers whose type cannot be known (`user.set_password`). */
  methods?: string[];
  /** For `methods`: the receiver, as written or as resolved, must match, because the method name alone is too common. */
  receiver?: RegExp;
  /** Any call passing a keyword argument whose name ends so (Django lookups such as `title__icontains=`). */
  keywordSuffixes?: string[];
  /** Only calls passing this keyword argument (SNS `publish(PhoneNumber=...)` sends an SMS). */
  keyword?: string;
  /** Only calls whose first argument is this string (`order_by("?")`). */
  firstArgument?: string;
  /** Only calls whose first argument is not a constant string (a regular expression built from input). */
  dynamicFirstArgument?: boolean;
}

const HTTP_VERBS = '{get,post,put,patch,delete,head,options,request,stream}';

export const COST_CALLS: CostCall[] = [
  // Password hashing and credential checks: deliberately slow, CPU-bound.
  {
    kind: 'password-hashing',
    names: [
      'bcrypt.{hashpw,checkpw,kdf}',
      'passlib.hash.{bcrypt,argon2,pbkdf2_sha256,sha256_crypt,sha512_crypt,scrypt}.{hash,verify}',
      'passlib.context.CryptContext.{hash,verify,verify_and_update}',
      'argon2.PasswordHasher.{hash,verify}',
      'pwdlib.PasswordHash.{hash,verify}', 'pwdlib.PasswordHash.recommended.{hash,verify}',
      'hashlib.{pbkdf2_hmac,scrypt}',
      'cryptography.hazmat.primitives.kdf.scrypt.Scrypt.{derive,verify}',
      'cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.{derive,verify}',
      'werkzeug.security.{generate_password_hash,check_password_hash}',
      'flask_bcrypt.{generate_password_hash,check_password_hash}', 'flask_bcrypt.Bcrypt.{generate_password_hash,check_password_hash}',
      'django.contrib.auth.hashers.{make_password,check_password}',
      'django.contrib.auth.authenticate', 'django.contrib.auth.forms.AuthenticationForm',
      'django.contrib.auth.views.{LoginView,PasswordChangeView,PasswordResetConfirmView}', 'django.contrib.auth.admin.UserAdmin.user_change_password',
      'rest_framework.authtoken.views.{ObtainAuthToken,obtain_auth_token}',
      'rest_framework_simplejwt.views.{TokenObtainPairView,TokenObtainSlidingView}',
    ],
    methods: ['.set_password', '.check_password', '.verify_and_update'],
  },
  { kind: 'password-hashing', methods: ['.hash', '.verify'], receiver: /pwd|passw|hasher|crypt/i },
  // Issuing tokens and sessions: the end of a credential check, the target of stuffing.
  {
    kind: 'token-issuing',
    names: [
      'jwt.encode', 'jose.jwt.encode',
      'flask_jwt_extended.{create_access_token,create_refresh_token}',
      'flask_login.login_user', 'django.contrib.auth.login',
      'rest_framework_simplejwt.tokens.{RefreshToken,AccessToken}.for_user',
      'rest_framework.authtoken.models.Token.objects.{create,get_or_create}',
      'rest_framework.authtoken.views.{ObtainAuthToken,obtain_auth_token}',
      'rest_framework_simplejwt.views.{TokenObtainPairView,TokenObtainSlidingView,TokenRefreshView}',
    ],
  },
  // One-time codes: a 10^6 code space is brute-forced without a limit.
  {
    kind: 'otp',
    names: ['pyotp.{TOTP,HOTP}.verify', 'django_otp.{match_token,verify_token}'],
    methods: ['.verify_token', '.verification_checks.create'],
  },
  { kind: 'otp', methods: ['.verify'], receiver: /otp/i },
  // Outbound messages: a cost per call, spam, SMS pumping.
  {
    kind: 'outbound-email',
    names: [
      'django.core.mail.{send_mail,send_mass_mail,mail_admins,mail_managers}',
      'django.core.mail{,.message}.{EmailMessage,EmailMultiAlternatives}.send',
      'django.contrib.auth.forms.PasswordResetForm.save', 'django.contrib.auth.views.PasswordResetView',
      'smtplib.{SMTP,SMTP_SSL}.{sendmail,send_message}',
      'flask_mail.Mail.{send,send_message}', 'fastapi_mail.FastMail.send_message',
      'sendgrid.SendGridAPIClient.send', 'boto3.client.{send_email,send_raw_email}', 'yagmail.SMTP.send',
    ],
    methods: ['.email_user'],
  },
  { kind: 'outbound-sms', names: ['boto3.client.publish'], keyword: 'PhoneNumber' },
  { kind: 'outbound-sms', names: ['twilio.rest.Client.{messages,calls}.create', 'vonage.Client.sms.send_message', 'vonage.Sms.send_message', 'nexmo.Client.send_message'] },
  { kind: 'outbound-sms', methods: ['.messages.create', '.calls.create'], receiver: /twilio|sms/i },
  { kind: 'outbound-sms', methods: ['.verifications.create'] }, // Twilio Verify texts or calls a code
  { kind: 'outbound-push', names: ['firebase_admin.messaging.{send,send_multicast,send_each,send_each_for_multicast,send_all}', 'pywebpush.webpush'] },
  // Payments: a fee per call, card testing.
  {
    kind: 'payment',
    names: [
      'stripe.{PaymentIntent,Charge,Customer,Subscription,Refund,Transfer,Payout,SetupIntent,Invoice}.create',
      'stripe.PaymentIntent.confirm', 'stripe.checkout.Session.create',
      'stripe.StripeClient.{payment_intents,charges,customers,subscriptions,refunds,checkout.sessions}.create',
      'braintree.Transaction.sale', 'paypalrestsdk.Payment.create',
    ],
  },
  // Outbound HTTP and paid APIs: latency, quota, SSRF.
  {
    kind: 'outbound-http',
    names: [
      `requests.${HTTP_VERBS}`, `requests.{Session,session}.${HTTP_VERBS}`,
      `httpx.${HTTP_VERBS}`, `httpx.{Client,AsyncClient}.${HTTP_VERBS}`, `aiohttp.ClientSession.${HTTP_VERBS}`,
      'urllib.request.urlopen', 'urllib3.request', 'urllib3.PoolManager.request',
      'googlemaps.Client.{geocode,reverse_geocode,directions,distance_matrix}',
      'geopy.geocoders.{Nominatim,GoogleV3}.{geocode,reverse}',
    ],
  },
  // LLM and ML inference: "denial of wallet".
  {
    kind: 'llm',
    names: [
      'openai.{OpenAI,AsyncOpenAI,AzureOpenAI,AsyncAzureOpenAI}.{chat.completions,completions,responses,embeddings,images,audio.transcriptions}.create',
      'openai.{ChatCompletion,Completion,Embedding,Image}.create',
      'anthropic.{Anthropic,AsyncAnthropic}.messages.{create,stream}',
      'google.generativeai.GenerativeModel.generate_content', 'google.genai.Client.models.generate_content',
      'cohere.{Client,ClientV2}.{chat,generate,embed}', 'litellm.{completion,acompletion,embedding}',
    ],
  },
  { kind: 'llm', methods: ['.chat.completions.create', '.completions.create', '.responses.create', '.embeddings.create'], receiver: /openai|client|llm|gpt|groq/i },
  { kind: 'llm', methods: ['.messages.create', '.messages.stream'], receiver: /anthropic|claude|llm/i },
  { kind: 'llm', methods: ['.generate_content'] },
  // `model`, not a path through a `models` module: that holds ORM models (`django.db.models`, an app's models.py).
  { kind: 'llm', methods: ['.invoke', '.ainvoke'], receiver: /llm|chain|agent|chat|model(?!s\.)/i },
  {
    kind: 'ml-inference',
    names: [
      'transformers.pipeline',
      'transformers.{AutoModel,AutoModelForCausalLM,AutoModelForSeq2SeqLM,AutoModelForSequenceClassification,AutoTokenizer}.from_pretrained',
      'sentence_transformers.SentenceTransformer', 'sentence_transformers.SentenceTransformer.encode',
      'onnxruntime.InferenceSession.run', 'whisper.load_model', 'whisper.load_model.transcribe',
      'diffusers.{DiffusionPipeline,StableDiffusionPipeline}.from_pretrained',
      'tensorflow.keras.models.load_model', 'torch.load',
    ],
  },
  { kind: 'ml-inference', methods: ['.predict', '.predict_proba', '.generate', '.encode'], receiver: /model(?!s\.)|clf|classifier|regressor|estimator|pipe|embedder/i },
  // Documents: PDF, office files, headless browsers, OCR.
  {
    kind: 'document-generation',
    names: [
      'reportlab.pdfgen.canvas.Canvas', 'reportlab.platypus.SimpleDocTemplate.build', 'weasyprint.HTML.write_pdf',
      'xhtml2pdf.pisa.CreatePDF', 'pdfkit.{from_string,from_url,from_file}', 'fpdf.FPDF.output',
      'openpyxl.Workbook.save', 'openpyxl.load_workbook', 'xlsxwriter.Workbook', 'docx.Document.save',
      'pypdf.PdfReader', 'PyPDF2.PdfReader', 'fitz.open', 'pdfplumber.open', 'pytesseract.image_to_string',
      'selenium.webdriver.{Chrome,Firefox}', 'pyppeteer.launch',
    ],
  },
  { kind: 'document-generation', methods: ['.pdf', '.screenshot'], receiver: /page|browser/i },
  // Exports and large responses.
  {
    kind: 'data-export',
    names: [
      'pandas.{read_csv,read_excel,read_json,read_sql,read_parquet}', 'pandas.DataFrame.{to_csv,to_excel,to_parquet}',
      'csv.{writer,DictWriter}',
      'django.http.{StreamingHttpResponse,FileResponse}', 'flask.{send_file,send_from_directory}',
      '{fastapi,starlette}.responses.{StreamingResponse,FileResponse}',
    ],
    methods: ['.to_csv', '.to_excel', '.to_parquet'],
  },
  // Images, audio, video.
  {
    kind: 'media-processing',
    names: [
      'PIL.Image.{open,new,frombytes}', 'PIL.ImageOps.{fit,contain,pad,exif_transpose}',
      'cv2.{imread,imdecode,resize,VideoCapture}', 'wand.image.Image', 'pyvips.Image.{new_from_file,new_from_buffer,thumbnail}',
      'ffmpeg.input', 'moviepy.editor.VideoFileClip', 'moviepy.VideoFileClip', 'pydub.AudioSegment.{from_file,from_mp3,from_wav}',
    ],
  },
  // Processes and archives.
  {
    kind: 'subprocess',
    names: [
      'subprocess.{run,call,check_call,check_output,Popen,getoutput,getstatusoutput}',
      'os.{system,popen,execv,execvp,spawnl,spawnv}', 'asyncio.{create_subprocess_exec,create_subprocess_shell}',
    ],
  },
  {
    kind: 'archive',
    names: [
      'zipfile.ZipFile', 'tarfile.open', 'shutil.{make_archive,unpack_archive}',
      '{gzip,bz2,lzma}.{open,compress,decompress}', 'zlib.decompress',
    ],
  },
  // Uploads and storage.
  {
    kind: 'file-upload',
    names: [
      '{fastapi,starlette.datastructures}.UploadFile', 'fastapi.File', 'werkzeug.utils.secure_filename',
      'flask.request.files.{get,getlist}', 'django.core.files.storage.default_storage.save',
    ],
    methods: ['.FILES.get', '.FILES.getlist'],
  },
  {
    kind: 'cloud-storage',
    methods: [
      '.upload_file', '.upload_fileobj', '.put_object', '.generate_presigned_post', '.upload_blob',
      '.upload_from_file', '.upload_from_filename', '.upload_from_string',
    ],
  },
  // Database work a client controls.
  {
    kind: 'raw-sql',
    names: ['sqlalchemy.text', 'sqlalchemy.sql.text', 'sqlalchemy.sql.expression.text'],
    methods: ['.objects.raw'],
  },
  { kind: 'raw-sql', methods: ['.execute', '.executemany'], receiver: /cursor/i },
  { kind: 'heavy-query', methods: ['.annotate', '.aggregate'] },
  { kind: 'heavy-query', methods: ['.order_by'], firstArgument: '?' }, // random ordering sorts the whole table
  { kind: 'heavy-query', names: ['sqlalchemy.func.random'] },
  {
    kind: 'search',
    names: [
      'django.contrib.postgres.search.{SearchVector,SearchQuery,SearchRank,TrigramSimilarity}',
      'elasticsearch.Elasticsearch.search', 'elasticsearch_dsl.Search.execute', 'opensearchpy.OpenSearch.search',
    ],
    methods: ['.ilike'],
    keywordSuffixes: ['__icontains', '__iregex', '__regex', '__search', '__trigram_similar'],
  },
  { kind: 'search', methods: ['.search'], receiver: /\bes$|elastic|opensearch|meili|typesense/i },
  // Deferred work: the request is cheap, each call enqueues real work (the task is followed too).
  { kind: 'deferred-work', names: ['fastapi.BackgroundTasks.add_task'], methods: ['.delay', '.apply_async', '.add_task', '.send_task'] },
  { kind: 'deferred-work', methods: ['.enqueue'], receiver: /queue|\bq$|rq/i },
  // CPU traps.
  { kind: 'cpu-trap', names: ['re.{compile,match,search,fullmatch,findall,finditer,sub,split}'], dynamicFirstArgument: true },
  { kind: 'cpu-trap', names: ['time.sleep'] },
  // Mitigations on the handler (decorators) or in it.
  {
    kind: 'response-cache',
    names: ['django.views.decorators.cache.cache_page', 'flask_caching.Cache.{cached,memoize}', 'fastapi_cache.decorator.cache'],
  },
  { kind: 'captcha', methods: ['.verify'], receiver: /captcha|turnstile/i },
];

/** Path and handler-name words (reference E.1), by category. */
export const HINT_WORDS: Record<Exclude<CostCategory, 'mitigation'>, string[]> = {
  auth: [
    'login', 'signin', 'sign-in', 'logon', 'auth', 'authenticate', 'token', 'jwt', 'refresh', 'session', 'password',
    'passwd', 'reset', 'forgot', 'recover', 'otp', '2fa', 'mfa', 'totp', 'verify', 'verification', 'confirm', 'code',
    'pin', 'magic-link', 'register', 'signup', 'sign-up', 'invite', 'resend', 'activate', 'unlock',
  ],
  money: ['pay', 'payment', 'checkout', 'charge', 'coupon', 'promo', 'redeem', 'voucher', 'gift', 'transfer', 'withdraw'],
  messaging: ['sms', 'email', 'mail', 'notify', 'send', 'contact', 'feedback'],
  heavy: [
    'export', 'report', 'download', 'pdf', 'csv', 'xlsx', 'excel', 'render', 'generate', 'convert', 'thumbnail',
    'resize', 'upload', 'import', 'bulk', 'batch', 'sync', 'search', 'query', 'graphql', 'analytics', 'backup',
    'archive', 'zip', 'scan', 'crawl', 'fetch', 'proxy', 'webhook', 'predict', 'infer', 'completion', 'chat', 'embed',
    'transcribe', 'ocr',
  ],
};
