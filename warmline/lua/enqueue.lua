-- Put a contact in line with its details; one already waiting or being offered keeps its place.
-- KEYS: contact hash, waiting, offered. ARGV: contact id, score, then field/value pairs.
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
end
return 1
