-- Keep a caller's sealed number to call them back, unless the line's pending callbacks are full.
-- KEYS: the line's pending callbacks, the contact's callback. ARGV: contact, sealed number, cap.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'to', ARGV[2], 'attempts', 0)
return 1
