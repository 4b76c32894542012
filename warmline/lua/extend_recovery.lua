-- Move the end of a specialist's recovery break, only while they are on one: an "I'm ready"
-- or an offer taken meanwhile is never undone.
-- KEYS: free. ARGV: prefix, specialist, new end ms, now ms.
local prefix, specialist, ready, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local free = KEYS[1]
local card = prefix .. 'specialist:' .. specialist
if redis.call('HGET', card, 'status') ~= 'recovery' then return 0 end
local until_ms = tonumber(redis.call('ZSCORE', free, specialist) or '0')
if until_ms <= now then return 0 end
redis.call('HSET', card, 'ready', ready)
redis.call('ZADD', free, ready, specialist)
return 1
