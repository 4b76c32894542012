-- Give one waiting contact to one free specialist who chose it on screen.
-- KEYS: waiting, offered, free, leases, rotation. ARGV: prefix, contact, specialist, now ms.
local prefix, contact, specialist, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local waiting, offered, free, leases, rotation = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local score = redis.call('ZSCORE', waiting, contact)
local ready = redis.call('ZSCORE', free, specialist)
if not score or not ready or tonumber(ready) > tonumber(now) then return 0 end
-- A practice call goes to its trainee alone; nobody in training takes a real contact.
local practice_for = redis.call('HGET', prefix .. 'contact:' .. contact, 'practice_for')
local training = redis.call('HGET', prefix .. 'specialist:' .. specialist, 'training') == '1'
if practice_for then
  if practice_for ~= specialist or not training then return 0 end
elseif training then
  return 0
end
redis.call('ZREM', waiting, contact)
redis.call('ZREM', free, specialist)
redis.call('ZADD', rotation, redis.call('INCR', prefix .. 'turns'), specialist)
local offer = prefix .. 'offer:' .. contact
redis.call('DEL', offer)
redis.call('HSET', offer, 'specialists', specialist, 'winner', specialist, 'ready:' .. specialist, ready)
redis.call('HSET', prefix .. 'specialist:' .. specialist, 'status', 'on_call', 'contact', contact)
redis.call('ZADD', prefix .. 'accepted', now, contact)
return 1
