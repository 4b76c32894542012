-- Give a waiting text conversation to a specialist with room for one more; of two racing
-- specialists exactly one wins. Texts wait under the routing language 'sms:<code>'.
-- A text being offered to someone (offer_text.lua) may still be taken from the list: taking
-- it ends that offer, and the one it was offered to is told someone else took it. Taking
-- any text ends the taker's own offer, accepted when it was of that text.
-- KEYS: waiting, free, text offers. ARGV: prefix, specialist, contact ('' takes the first they
-- speak that nobody else is being offered), now ms, most texts at once, texts during calls
-- ('1' or '0'), how many waiting to look at.
-- Returns {taken, whose offer of it ended (0 if none), own offer of another text ended (0)},
-- or 0 when nothing was taken.
local prefix, specialist, contact, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local max_texts, during_calls, scan = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local waiting, free, offers = KEYS[1], KEYS[2], KEYS[3]
if redis.call('SISMEMBER', prefix .. 'present', specialist) == 0 then return 0 end
local texts = prefix .. 'texts:' .. specialist
if redis.call('SCARD', texts) >= max_texts then return 0 end
local card = prefix .. 'specialist:' .. specialist
local status = redis.call('HGET', card, 'status')
local mine = redis.call('HGET', card, 'text_offer')
local ready = redis.call('ZSCORE', free, specialist)
if mine then
  -- Their text offer took them off the phone rota: judge them by the place it kept.
  local kept = redis.call('HGET', prefix .. 'text_offer:' .. mine, 'ready')
  if kept and kept ~= '' then ready = kept end
end
local free_now = ready and tonumber(ready) <= now
local on_phone = status == 'on_call' or redis.call('HEXISTS', card, 'offer') == 1
if on_phone then
  if during_calls ~= '1' then return 0 end
elseif status ~= 'texting' and not free_now then
  return 0
end
local function routing(c)
  local language = redis.call('HGET', prefix .. 'contact:' .. c, 'language')
  if language and string.sub(language, 1, 4) == 'sms:' then return string.sub(language, 5) end
  return nil
end
local chosen = nil
if contact == '' then
  for _, c in ipairs(redis.call('ZRANGE', waiting, 0, scan - 1)) do
    local language = routing(c)
    local offered_to = redis.call('HGET', prefix .. 'contact:' .. c, 'offered_to')
    if language and (not offered_to or offered_to == specialist)
        and redis.call('SISMEMBER', prefix .. 'speaks:' .. language, specialist) == 1 then
      chosen = c
      break
    end
  end
elseif redis.call('ZSCORE', waiting, contact) and routing(contact) then
  chosen = contact
end
if not chosen then return 0 end

-- End the offer of a text; its specialist goes back on the phone rota in their old place.
local function end_offer(c)
  local key = prefix .. 'text_offer:' .. c
  local fields = redis.call('HMGET', key, 'specialist', 'ready')
  local owner, kept = fields[1], fields[2]
  if not owner then return 0 end
  redis.call('DEL', key)
  redis.call('ZREM', offers, c)
  redis.call('HDEL', prefix .. 'contact:' .. c, 'offered_to')
  local owner_card = prefix .. 'specialist:' .. owner
  redis.call('HDEL', owner_card, 'text_offer')
  local owner_status = redis.call('HGET', owner_card, 'status')
  if kept and kept ~= '' and (owner_status == 'available' or owner_status == 'wrap_up')
      and redis.call('SISMEMBER', prefix .. 'signing_off', owner) == 0 then
    redis.call('ZADD', free, kept, owner)
  end
  return tonumber(owner)
end
local released = 0
if mine and mine ~= chosen then
  end_offer(mine)
  released = tonumber(mine)
end
local offered_to = end_offer(chosen)
if offered_to == tonumber(specialist) then offered_to = 0 end

redis.call('ZREM', waiting, chosen)
redis.call('SADD', texts, chosen)
redis.call('HSET', prefix .. 'contact:' .. chosen, 'specialist', specialist)
redis.call('HSET', card, 'text_at', now)
redis.call('DEL', prefix .. 'text_passed:' .. chosen)
if during_calls ~= '1' and not on_phone and status ~= 'texting' then
  -- Texting takes them off the phone rota until their last conversation closes.
  redis.call('ZREM', free, specialist)
  redis.call('HSET', card, 'status', 'texting', 'reason', '')
end
return {tonumber(chosen), offered_to, released}
