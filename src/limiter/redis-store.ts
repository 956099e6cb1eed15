/**
 * The Store in Redis, shared by every process that connects to it. Each operation is one Lua script, so
 * concurrent clients cannot interleave between reading and writing a key. Time comes from the caller's clock
 * (stored as numbers, compared in the script) rather than from Redis TTLs, so the decisions are exactly those of
 * MemoryStore; the TTLs set here only clean up, a minute after the state stops mattering, assuming the clock runs
 * at about real speed. The sliding-window counter keeps MemoryStore's clock-aligned buckets (limits' own Redis
 * storage shifts them to start at the first hit).
 */
import { createClient } from '@redis/client';
import { slidingWindow, type Store } from './store';

const newClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof newClient>;

// Lua's tostring keeps 14 digits; %.17g writes every double back exactly.
const CLEANUP = `redis.call('PEXPIRE', KEYS[1], math.ceil(ttl * 1000) + 60000)`;

// Shared by the scripts that count: a counter at KEYS[1] as MemoryStore.increment keeps it, and any counter's live count.
const COUNTERS = `
local function increment(cost, window, elastic, now)
  local state = redis.call('HMGET', KEYS[1], 'count', 'expiresAt')
  local count, expiresAt = tonumber(state[1]), tonumber(state[2])
  if not expiresAt or expiresAt <= now then
    count, expiresAt = 0, now + window
  elseif elastic then
    expiresAt = now + window
  end
  count = count + cost
  redis.call('HSET', KEYS[1], 'count', count, 'expiresAt', string.format('%.17g', expiresAt))
  local ttl = expiresAt - now
  ${CLEANUP}
  return count
end
local function count(key, now)
  local state = redis.call('HMGET', key, 'count', 'expiresAt')
  local expiresAt = tonumber(state[2])
  if expiresAt and expiresAt > now then return tonumber(state[1]) end
  return 0
end`;

const INCREMENT = `${COUNTERS}
return increment(tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4]))`;

const ACQUIRE_ENTRY = `
local limit, window, cost, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if cost > limit then return 0 end
local entry = tonumber(redis.call('LINDEX', KEYS[1], limit - cost))
local windowStart = now - window
if entry and (entry > windowStart or (ARGV[5] == '1' and entry == windowStart)) then return 0 end
for _ = 1, cost do redis.call('LPUSH', KEYS[1], ARGV[4]) end
redis.call('LTRIM', KEYS[1], 0, limit - 1)
local ttl = window
${CLEANUP}
return 1`;

// KEYS: the current bucket, then the previous one; ARGV[5]: the previous bucket's seconds still inside the window.
const ACQUIRE_SLIDING_WINDOW_ENTRY = `${COUNTERS}
local limit, window, cost, now, previousTtl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local weighted = count(KEYS[2], now) * previousTtl / window + count(KEYS[1], now)
if math.floor(weighted) + cost > limit then return 0 end
increment(cost, 2 * window, false, now)
return 1`;

const TAKE_TOKENS = `
local capacity, perSecond, cost, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updatedAt')
local tokens = math.min(capacity, (tonumber(state[1]) or capacity) + (now - (tonumber(state[2]) or now)) * perSecond)
local allowed = tokens >= cost
if allowed then tokens = tokens - cost end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'updatedAt', ARGV[4])
local ttl = capacity / perSecond
${CLEANUP}
return allowed and 1 or 0`;

export class RedisStore implements Store {
  private constructor(private readonly client: Client) {}

  /** Connects to e.g. `redis://127.0.0.1:6379`. */
  static async connect(url: string): Promise<RedisStore> {
    const client = newClient(url);
    await client.connect();
    return new RedisStore(client);
  }

  async increment(key: string, cost: number, windowSeconds: number, elastic: boolean, now: number): Promise<number> {
    return Number(await this.run(INCREMENT, [key], cost, windowSeconds, elastic ? 1 : 0, now));
  }

  async acquireEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number, inclusive: boolean): Promise<boolean> {
    return (await this.run(ACQUIRE_ENTRY, [key], limit, windowSeconds, cost, now, inclusive ? 1 : 0)) === 1;
  }

  async acquireSlidingWindowEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number): Promise<boolean> {
    const { previousKey, currentKey, previousTtl } = slidingWindow(key, windowSeconds, now);
    return (await this.run(ACQUIRE_SLIDING_WINDOW_ENTRY, [currentKey, previousKey], limit, windowSeconds, cost, now, previousTtl)) === 1;
  }

  async takeTokens(key: string, capacity: number, perSecond: number, cost: number, now: number): Promise<boolean> {
    return (await this.run(TAKE_TOKENS, [key], capacity, perSecond, cost, now)) === 1;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Numbers go as JavaScript writes them, the shortest text that reads back as the same double. */
  private run(script: string, keys: string[], ...args: number[]): Promise<unknown> {
    return this.client.eval(script, { keys, arguments: args.map(String) });
  }
}
