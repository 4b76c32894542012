-- Put a contact in line with its details. One already waiting, being offered, or taken by
-- a specialist (the worker may ring and connect someone while the caller still hears the
-- greeting) keeps its state: it is never offered twice.
-- KEYS: contact hash, waiting, offered, accepted, the contact's offer. ARGV: contact id,
-- score, then field/value pairs.
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if redis.call('ZSCORE', KEYS[3], ARGV[1]) or redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  return 0
end
local winner = redis.call('HGET', KEYS[5], 'winner')
if winner and winner ~= '' then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
return 1
