/**
 * RedisStore against a real redis-server started here on a free loopback port (stopped in afterAll, whatever
 * happens): it decides exactly like MemoryStore on random traces, and concurrent clients never over-admit.
 * redis-server is required in CI (`.ci/run` installs it); elsewhere the suite is skipped loudly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { RateLimiter, STRATEGIES, VirtualClock } from '../src/limiter/limiter';
import { RedisStore } from '../src/limiter/redis-store';
import { MemoryStore } from '../src/limiter/store';
import { requireSystem } from './support/system-python';
import { randomTraces, replay, type TraceRequest } from './support/traces';

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
const redisTest = requireSystem(haveRedis, 'this suite needs redis-server (apt-get install redis-server)');

let server: ChildProcess | undefined;
let url = '';
const stores: RedisStore[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<void> {
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server!.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    server!.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  url = `redis://127.0.0.1:${port}`;
}

async function connect(): Promise<RedisStore> {
  const store = await RedisStore.connect(url);
  stores.push(store);
  return store;
}

beforeAll(async () => {
  if (haveRedis) await startRedis();
});

afterAll(async () => {
  await Promise.allSettled(stores.map((s) => s.close()));
  server?.kill();
});

redisTest.each([...STRATEGIES])('%s: RedisStore decides like MemoryStore', async (strategy) => {
  const store = await connect();
  for (const [i, trace] of randomTraces(strategy, 2000, 7, 500).entries()) {
    const ownKeys = trace.requests.map(([t, key, cost]): TraceRequest => [t, `trace${i}/${key}`, cost]); // one Redis for all traces
    expect(await replay({ ...trace, requests: ownKeys }, store)).toEqual(await replay(trace, new MemoryStore()));
  }
});

redisTest.each(['fixed-window', 'moving-window', 'sliding-window-counter', 'sliding-log', 'token-bucket'] as const)('%s: 200 parallel hits from 8 clients at 50/minute admit exactly 50', async (strategy) => {
  const clients = await Promise.all(Array.from({ length: 8 }, connect));
  const clock = new VirtualClock(1_700_000_000);
  const limiters = clients.map((store) => new RateLimiter(store, strategy, [{ count: 50, seconds: 60, text: '50/minute' }], clock));
  const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % limiters.length].hit(`parallel-${strategy}`)));
  expect(decisions.filter(Boolean)).toHaveLength(50);
});
