-- Move one sent message's delivery status forward; Twilio's callbacks come in any order.
-- KEYS: the conversation's delivery hash. ARGV: message SID, status, rank of that status.
local index = redis.call('HGET', KEYS[1], 'message:' .. ARGV[1])
if not index then return nil end
local rank = tonumber(redis.call('HGET', KEYS[1], 'rank:' .. index) or '-1')
if tonumber(ARGV[3]) <= rank then return {tonumber(index), 0} end
redis.call('HSET', KEYS[1], 'status:' .. index, ARGV[2], 'rank:' .. index, ARGV[3])
return {tonumber(index), 1}
