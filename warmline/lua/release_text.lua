-- A text conversation closed: take it out of line and off its specialist; one who held no
-- other text goes back on the phone rota from the given time.
-- KEYS: waiting, free. ARGV: prefix, contact, specialist ('' if none), ready ms, status, ms a
-- recovery break starts (0: none).
local prefix, contact, specialist, ready, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local recovery_from = ARGV[6]
local waiting, free = KEYS[1], KEYS[2]
redis.call('ZREM', waiting, contact)
redis.call('DEL', prefix .. 'contact:' .. contact)
if specialist == '' then return 0 end
local texts = prefix .. 'texts:' .. specialist
if redis.call('SREM', texts, contact) == 0 or redis.call('SCARD', texts) > 0 then return 0 end
local card = prefix .. 'specialist:' .. specialist
if redis.call('HGET', card, 'status') ~= 'texting' then return 0 end
redis.call('HSET', card, 'status', status, 'reason', '', 'ready', ready, 'recovery_from', recovery_from)
redis.call('ZADD', free, ready, specialist)
return 1
