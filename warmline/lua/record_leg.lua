-- Remember the call ringing a specialist, while they are still part of the offer.
-- KEYS: the offer. ARGV: specialist, call SID. Returns 0 when the offer ended meanwhile.
if redis.call('HEXISTS', KEYS[1], 'ready:' .. ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'leg:' .. ARGV[1], ARGV[2])
return 1
