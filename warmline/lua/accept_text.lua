-- Give a waiting text conversation to a specialist with room for one more; of two racing
-- specialists exactly one wins. Texts wait under the routing language 'sms:<code>'.
-- KEYS: waiting, free. ARGV: prefix, specialist, contact ('' takes the first they speak),
-- now ms, most texts at once, texts during calls ('1' or '0'), how many waiting to look at.
local prefix, specialist, contact, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local max_texts, during_calls, scan = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local waiting, free = KEYS[1], KEYS[2]
if redis.call('SISMEMBER', prefix .. 'present', specialist) == 0 then return 0 end
local texts = prefix .. 'texts:' .. specialist
if redis.call('SCARD', texts) >= max_texts then return 0 end
local card = prefix .. 'specialist:' .. specialist
local status = redis.call('HGET', card, 'status')
local ready = redis.call('ZSCORE', free, specialist)
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
    if language and redis.call('SISMEMBER', prefix .. 'speaks:' .. language, specialist) == 1 then
      chosen = c
      break
    end
  end
elseif redis.call('ZSCORE', waiting, contact) and routing(contact) then
  chosen = contact
end
if not chosen then return 0 end
redis.call('ZREM', waiting, chosen)
redis.call('SADD', texts, chosen)
redis.call('HSET', prefix .. 'contact:' .. chosen, 'specialist', specialist)
if during_calls ~= '1' and not on_phone and status ~= 'texting' then
  -- Texting takes them off the phone rota until their last conversation closes.
  redis.call('ZREM', free, specialist)
  redis.call('HSET', card, 'status', 'texting', 'reason', '')
end
return tonumber(chosen)
