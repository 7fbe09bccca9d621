// The Redis store's reads for the admin overview and its instance heartbeats, one Lua script each
// (ARGV[1] is the key prefix, as in scripts.ts).
//
// Keys (P = prefix), besides those in scripts.ts:
//   P..'sent'        set of `submitted` job ids (added by MARK_SUBMITTED, removed by FINISH)
//   P..'instances'   hash instance id -> its last heartbeat (JSON)
//   P..'beats'       zset of instance ids, scored by their last heartbeat's time

/** ARGV: P → flat [owner, count, …] of jobs claimed for their submit or submitted */
export const RUNNING_BY_OWNER = `
local P = ARGV[1]
local counts = {}
local function add(id, want)
  local h = redis.call('HMGET', P..'j:'..id, 'owner', 'state')
  if h[1] and h[2] == want then counts[h[1]] = (counts[h[1]] or 0) + 1 end
end
for _, id in ipairs(redis.call('ZRANGE', P..'claims', 0, -1)) do add(id, 'submitting') end
for _, id in ipairs(redis.call('SMEMBERS', P..'sent')) do add(id, 'submitted') end
local out = {}
for o, c in pairs(counts) do
  out[#out + 1] = o
  out[#out + 1] = tostring(c)
end
return out
`;

/** ARGV: P, limit, scan limit → HGETALL of each failed job among the last finished, newest first */
export const RECENT_FAILURES = `
local P = ARGV[1]
local limit = tonumber(ARGV[2])
local out = {}
if limit <= 0 then return out end
for _, id in ipairs(redis.call('ZREVRANGE', P..'done', 0, tonumber(ARGV[3]) - 1)) do
  local k = P..'j:'..id
  if redis.call('HGET', k, 'state') == 'failed' then
    out[#out + 1] = redis.call('HGETALL', k)
    if #out >= limit then break end
  end
end
return out
`;

/** ARGV: P, id, beat JSON, beatAt, forget before → 1. Instances silent since `forget before` are dropped. */
export const HEARTBEAT = `
local P = ARGV[1]
redis.call('HSET', P..'instances', ARGV[2], ARGV[3])
redis.call('ZADD', P..'beats', ARGV[4], ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P..'beats', '-inf', '('..ARGV[5])) do
  redis.call('HDEL', P..'instances', id)
  redis.call('ZREM', P..'beats', id)
end
return 1
`;

/** ARGV: P, since → the beats (JSON) of the instances that beat at or after `since` */
export const INSTANCES = `
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P..'beats', ARGV[2], '+inf')
if #ids == 0 then return {} end
return redis.call('HMGET', P..'instances', unpack(ids))
`;
