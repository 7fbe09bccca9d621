// The Redis store's atomic operations, one Lua script each. Every script takes the key prefix as
// ARGV[1] and builds its key names from it, so one Redis can serve several separate brokers.
// (Standalone Redis or a Sentinel-managed primary; not Redis Cluster: the scripts touch keys they
// do not declare.)
//
// Numbers are passed in and out as strings: Lua's number-to-string conversion would print large
// millisecond timestamps in exponent form and Redis truncates Lua numbers in replies.
//
// Keys (P = prefix):
//   P..'j:'..id      hash: base (JSON of the immutable fields), owner, state, seq, updatedAt,
//                    submitAttempts, providerJobId, claimedBy, leaseUntil, sendingAt, cancelRequested,
//                    final (JSON), error (JSON), snap (status snapshot JSON)
//   P..'seq'         acceptance counter
//   P..'q:'..owner   zset of the owner's queued job ids, scored by seq
//   P..'owners'      set of owners with queued jobs
//   P..'served'      hash owner -> serve number of the owner's last claim; P..'servedctr' counter
//   P..'claims'      zset of `submitting` job ids, scored by leaseUntil
//   P..'done'        zset of terminal job ids, scored by updatedAt (for prune)
//   P..'takes'       zset of upstream-submit times (rolling day); P..'takeid' member counter
//   P..'pause'       epoch ms until which submits are paused
//   P..'poll:'..id   start of the last upstream status poll for a job (expires)
//   P..'usage'       hash JSON [day, owner, metric] -> count
//   P..'signing-key' the output-signing key every instance uses (base64url), set once
//   (the admin overview's keys: overview-scripts.ts)

// Shared Lua helpers, prepended to the scripts that need them.
const HELPERS = `
local P = ARGV[1]
local function head(owner)
  local h = redis.call('ZRANGE', P..'q:'..owner, 0, 0, 'WITHSCORES')
  if #h == 0 then return nil, nil end
  return h[1], tonumber(h[2])
end
local function served(owner)
  return tonumber(redis.call('HGET', P..'served', owner) or '0')
end
local function dequeued(owner)
  if redis.call('ZCARD', P..'q:'..owner) == 0 then redis.call('SREM', P..'owners', owner) end
end
-- 1-based place of a queued job in round-robin dispatch order. Owners are served in the order
-- (last served, head seq); once served an owner goes to the back, so the order is a fixed cycle:
-- a job at rank r of its owner's line comes after min(count, r) jobs of every owner, plus one job
-- of each owner ahead of its owner in the cycle that still has a job at rank r.
local function position(owner, id)
  local rank = redis.call('ZRANK', P..'q:'..owner, id)
  if not rank then return nil end
  local _, myHead = head(owner)
  local myServed = served(owner)
  local pos = 1 + rank
  for _, o in ipairs(redis.call('SMEMBERS', P..'owners')) do
    if o ~= owner then
      local c = redis.call('ZCARD', P..'q:'..o)
      if c > rank then
        pos = pos + rank
        local s = served(o)
        local _, h = head(o)
        if s < myServed or (s == myServed and h < myHead) then pos = pos + 1 end
      else
        pos = pos + c
      end
    end
  end
  return pos
end
`;

/** ARGV: P, id, owner, maxQueued (-1 = none), base JSON, createdAt → {1, position} | {0, queued} */
export const ENQUEUE = `${HELPERS}
local id, owner, max = ARGV[2], ARGV[3], tonumber(ARGV[4])
local k = P..'j:'..id
if redis.call('EXISTS', k) == 1 then
  -- The same job sent twice (a retried call whose answer was lost): accept it once.
  local pos = position(owner, id)
  return {1, tostring(pos or 0)}
end
local q = P..'q:'..owner
local c = redis.call('ZCARD', q)
if max >= 0 and c >= max then return {0, tostring(c)} end
local seq = redis.call('INCR', P..'seq')
redis.call('HSET', k, 'base', ARGV[5], 'owner', owner, 'state', 'queued', 'seq', seq,
  'updatedAt', ARGV[6], 'submitAttempts', '0')
redis.call('ZADD', q, seq, id)
redis.call('SADD', P..'owners', owner)
return {1, tostring(position(owner, id))}
`;

/** ARGV: P, id → position or nil */
export const QUEUE_POSITION = `${HELPERS}
local k = P..'j:'..ARGV[2]
local st = redis.call('HMGET', k, 'state', 'owner')
if st[1] ~= 'queued' then return nil end
local pos = position(st[2], ARGV[2])
if not pos then return nil end
return tostring(pos)
`;

/** ARGV: P → {depth, submitting, owner1, n1, owner2, n2, ...} */
export const QUEUE_STATS = `${HELPERS}
local out = {0, redis.call('ZCARD', P..'claims')}
local depth = 0
for _, o in ipairs(redis.call('SMEMBERS', P..'owners')) do
  local c = redis.call('ZCARD', P..'q:'..o)
  if c > 0 then
    depth = depth + c
    out[#out + 1] = o
    out[#out + 1] = c
  end
end
out[1] = depth
return out
`;

/** ARGV: P, claimant, now, leaseUntil → HGETALL of the claimed job, or empty */
export const CLAIM_NEXT = `${HELPERS}
local best, bestServed, bestHead, bestId
for _, o in ipairs(redis.call('SMEMBERS', P..'owners')) do
  local id, seq = head(o)
  if not id then
    redis.call('SREM', P..'owners', o)
  else
    local s = served(o)
    if not best or s < bestServed or (s == bestServed and seq < bestHead) then
      best, bestServed, bestHead, bestId = o, s, seq, id
    end
  end
end
if not best then return {} end
redis.call('ZREM', P..'q:'..best, bestId)
dequeued(best)
redis.call('HSET', P..'served', best, redis.call('INCR', P..'servedctr'))
local k = P..'j:'..bestId
redis.call('HSET', k, 'state', 'submitting', 'claimedBy', ARGV[2], 'leaseUntil', ARGV[4], 'updatedAt', ARGV[3])
redis.call('ZADD', P..'claims', ARGV[4], bestId)
return redis.call('HGETALL', k)
`;

/** ARGV: P, id, claimant, now → 1 | 0 */
export const MARK_SENDING = `
local P, id = ARGV[1], ARGV[2]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'claimedBy', 'leaseUntil', 'sendingAt')
if st[1] ~= 'submitting' or st[2] ~= ARGV[3] or st[4] then return 0 end
if not st[3] or tonumber(st[3]) <= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', k, 'sendingAt', ARGV[4])
return 1
`;

/** ARGV: P, id, claimant, now → 1 | 0 */
export const REQUEUE = `${HELPERS}
local id = ARGV[2]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'claimedBy', 'owner', 'seq')
if st[1] ~= 'submitting' or st[2] ~= ARGV[3] then return 0 end
redis.call('HSET', k, 'state', 'queued', 'updatedAt', ARGV[4])
redis.call('HDEL', k, 'claimedBy', 'leaseUntil', 'sendingAt')
redis.call('ZREM', P..'claims', id)
redis.call('ZADD', P..'q:'..st[3], st[4], id)
redis.call('SADD', P..'owners', st[3])
return 1
`;

/** ARGV: P, id, claimant, providerJobId, now → 1 | 0 */
export const MARK_SUBMITTED = `
local P, id = ARGV[1], ARGV[2]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'claimedBy')
if st[1] ~= 'submitting' or st[2] ~= ARGV[3] then return 0 end
redis.call('HSET', k, 'state', 'submitted', 'providerJobId', ARGV[4], 'updatedAt', ARGV[5])
redis.call('HINCRBY', k, 'submitAttempts', 1)
redis.call('HDEL', k, 'claimedBy', 'leaseUntil', 'sendingAt')
redis.call('ZREM', P..'claims', id)
redis.call('SADD', P..'sent', id)
return 1
`;

/** ARGV: P, id, state, final JSON or '', error JSON or '', now → 1 | 0 */
export const FINISH = `${HELPERS}
local id = ARGV[2]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'owner')
local s = st[1]
if not s or s == 'succeeded' or s == 'failed' or s == 'cancelled' then return 0 end
redis.call('HSET', k, 'state', ARGV[3], 'updatedAt', ARGV[6])
if ARGV[4] ~= '' then redis.call('HSET', k, 'final', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', k, 'error', ARGV[5]) end
redis.call('HDEL', k, 'claimedBy', 'leaseUntil', 'sendingAt', 'snap')
if s == 'queued' then
  redis.call('ZREM', P..'q:'..st[2], id)
  dequeued(st[2])
end
redis.call('ZREM', P..'claims', id)
redis.call('SREM', P..'sent', id)
redis.call('ZADD', P..'done', ARGV[6], id)
return 1
`;

/** ARGV: P, id, now → the state before, or nil */
export const REQUEST_CANCEL = `${HELPERS}
local id = ARGV[2]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'owner', 'cancelRequested')
local before = st[1]
if not before then return nil end
if before == 'queued' then
  redis.call('HSET', k, 'state', 'cancelled', 'updatedAt', ARGV[3])
  redis.call('ZREM', P..'q:'..st[2], id)
  dequeued(st[2])
  redis.call('ZADD', P..'done', ARGV[3], id)
elseif before == 'submitting' and not st[3] then
  redis.call('HSET', k, 'cancelRequested', '1', 'updatedAt', ARGV[3])
end
return before
`;

/** ARGV: P, now → { HGETALL job1 }, { HGETALL job2 }, ... */
export const EXPIRED_CLAIMS = `
local P = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P..'claims', '-inf', ARGV[2])) do
  local k = P..'j:'..id
  if redis.call('HGET', k, 'state') == 'submitting' then
    out[#out + 1] = redis.call('HGETALL', k)
  else
    redis.call('ZREM', P..'claims', id)
  end
end
return out
`;

/** ARGV: P, id, now, interrupted error JSON → 'requeued' | 'cancelled' | 'failed' | nil */
export const TAKE_OVER_EXPIRED = `${HELPERS}
local id, now = ARGV[2], ARGV[3]
local k = P..'j:'..id
local st = redis.call('HMGET', k, 'state', 'leaseUntil', 'sendingAt', 'cancelRequested', 'owner', 'seq')
if st[1] ~= 'submitting' then return nil end
if st[2] and tonumber(st[2]) > tonumber(now) then return nil end
redis.call('ZREM', P..'claims', id)
redis.call('HDEL', k, 'claimedBy', 'leaseUntil', 'sendingAt')
local outcome
if st[3] then
  outcome = 'failed'
  redis.call('HSET', k, 'state', 'failed', 'error', ARGV[4], 'updatedAt', now)
elseif st[4] then
  outcome = 'cancelled'
  redis.call('HSET', k, 'state', 'cancelled', 'updatedAt', now)
else
  -- Back in its owner's line with its own seq: first again.
  redis.call('HSET', k, 'state', 'queued', 'updatedAt', now)
  redis.call('ZADD', P..'q:'..st[5], st[6], id)
  redis.call('SADD', P..'owners', st[5])
  return 'requeued'
end
redis.call('HDEL', k, 'snap')
redis.call('ZADD', P..'done', now, id)
return outcome
`;

/** ARGV: P, before, batch → number deleted (call again while it returns batch) */
export const PRUNE = `
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P..'done', '-inf', '('..ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('DEL', P..'j:'..id, P..'poll:'..id)
  redis.call('ZREM', P..'done', id)
end
return #ids
`;

/**
 * ARGV: P, now, perMinute (-1 = none), perDay (-1 = none), now - minute, now - day
 * → {'ok'} | {'paused', until} | {'day', oldest counted take} | {'minute', oldest counted take}
 */
export const TAKE_RATE_TOKEN = `
local P = ARGV[1]
local now, perMinute, perDay = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local paused = redis.call('GET', P..'pause')
if paused and tonumber(paused) > now then return {'paused', paused} end
if perMinute < 0 and perDay < 0 then return {'ok'} end
local t = P..'takes'
redis.call('ZREMRANGEBYSCORE', t, '-inf', ARGV[6])
local count = redis.call('ZCARD', t)
if perDay >= 0 and count >= perDay then
  local at = redis.call('ZRANGE', t, count - perDay, count - perDay, 'WITHSCORES')
  return {'day', at[2] or ''}
end
if perMinute >= 0 then
  local inMinute = redis.call('ZCOUNT', t, '('..ARGV[5], '+inf')
  if inMinute >= perMinute then
    local at = redis.call('ZRANGE', t, count - perMinute, count - perMinute, 'WITHSCORES')
    return {'minute', at[2] or ''}
  end
end
redis.call('ZADD', t, ARGV[2], ARGV[2]..':'..redis.call('INCR', P..'takeid'))
return {'ok'}
`;

/** ARGV: P, now - minute, now - day → {lastMinute, lastDay, pausedUntil} */
export const RATE_USAGE = `
local P = ARGV[1]
local t = P..'takes'
return {
  redis.call('ZCOUNT', t, '('..ARGV[2], '+inf'),
  redis.call('ZCOUNT', t, '('..ARGV[3], '+inf'),
  redis.call('GET', P..'pause') or '0'
}
`;

/** ARGV: P, until */
export const PAUSE_UNTIL = `
local P = ARGV[1]
local cur = redis.call('GET', P..'pause')
if not cur or tonumber(cur) < tonumber(ARGV[2]) then redis.call('SET', P..'pause', ARGV[2]) end
return 1
`;

/** ARGV: P, id, snapshot JSON */
export const PUT_SNAPSHOT = `
local k = ARGV[1]..'j:'..ARGV[2]
if redis.call('EXISTS', k) == 1 then redis.call('HSET', k, 'snap', ARGV[3]) end
return 1
`;

/** ARGV: P, id, now, minIntervalMs, ttlMs → 1 | 0 */
export const BEGIN_STATUS_POLL = `
local k = ARGV[1]..'poll:'..ARGV[2]
local last = redis.call('GET', k)
if last and tonumber(ARGV[3]) - tonumber(last) < tonumber(ARGV[4]) then return 0 end
redis.call('SET', k, ARGV[3], 'PX', ARGV[5])
return 1
`;

/** ARGV: P, field1, n1, field2, n2, ... */
export const RECORD_USAGE = `
local k = ARGV[1]..'usage'
for i = 2, #ARGV, 2 do redis.call('HINCRBY', k, ARGV[i], ARGV[i + 1]) end
return 1
`;

/** ARGV: P, candidate key (base64url) → the stored key (the candidate if none was stored) */
export const SHARED_SIGNING_KEY = `
local k = ARGV[1]..'signing-key'
redis.call('SET', k, ARGV[2], 'NX')
return redis.call('GET', k)
`;
