-- End a text offer without its being accepted: 'pass' (the specialist let it pass),
-- 'expire' (nobody answered in time) or 'withdraw' (the text left the line, or the
-- specialist did). The text keeps its place in line; a specialist who passed or let it
-- expire is not offered it again before `passed until`. One who let it expire while holding
-- no conversation is away from the dashboard: on break, as after a missed call.
-- KEYS: waiting, free, text offers. ARGV: prefix, contact, specialist ('' whoever has it),
-- how, passed until ms.
-- Returns {specialist, went on break (1 or 0)}, or nil when no such offer stands.
local prefix, contact, specialist, how, passed_until = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local waiting, free, offers = KEYS[1], KEYS[2], KEYS[3]
local key = prefix .. 'text_offer:' .. contact
local fields = redis.call('HMGET', key, 'specialist', 'ready')
local owner, ready = fields[1], fields[2]
if not owner or (specialist ~= '' and specialist ~= owner) then return nil end
redis.call('DEL', key)
redis.call('ZREM', offers, contact)
redis.call('HDEL', prefix .. 'contact:' .. contact, 'offered_to')
local card = prefix .. 'specialist:' .. owner
if redis.call('HGET', card, 'text_offer') == contact then redis.call('HDEL', card, 'text_offer') end
local still_waiting = redis.call('ZSCORE', waiting, contact)
if how ~= 'withdraw' and still_waiting then
  local passed = prefix .. 'text_passed:' .. contact
  redis.call('ZADD', passed, passed_until, owner)
  redis.call('PEXPIREAT', passed, passed_until)
end
local status = redis.call('HGET', card, 'status')
local away = how == 'expire' and still_waiting and status ~= 'on_call'
  and redis.call('SCARD', prefix .. 'texts:' .. owner) == 0
  and redis.call('HEXISTS', card, 'offer') == 0
if away then
  redis.call('HSET', card, 'status', 'break', 'reason', 'missed_text_offer')
  return {tonumber(owner), 1}
end
-- Back on the phone rota with their old place, unless they went on break or off shift.
local on_rota = status == 'available' or status == 'wrap_up'
if ready and ready ~= '' and on_rota
    and redis.call('SISMEMBER', prefix .. 'signing_off', owner) == 0 then
  redis.call('ZADD', free, ready, owner)
end
return {tonumber(owner), 0}
