-- A text conversation's specialist can no longer hold it (they were deactivated): take it
-- off them and put it back in line in its old place, for another specialist to take.
-- KEYS: waiting. ARGV: prefix, contact, specialist, waiting score.
local prefix, contact, specialist, score = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local waiting = KEYS[1]
if redis.call('SREM', prefix .. 'texts:' .. specialist, contact) == 0 then return 0 end
local key = prefix .. 'contact:' .. contact
if redis.call('HGET', key, 'specialist') ~= specialist then return 0 end
redis.call('HDEL', key, 'specialist')
redis.call('ZADD', waiting, 'NX', score, contact)
return 1
