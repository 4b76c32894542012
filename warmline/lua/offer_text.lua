-- Offer the first waiting text that someone free for it speaks to that one specialist, on
-- their dashboard. Of two workers offering at once each text goes to one specialist, and a
-- specialist is never offered two contacts (a phone offer or a text offer) at once.
-- The text stays in its place in line while offered: someone else may still take it.
-- KEYS: waiting, free, text offers (contact scored by the offer's end). ARGV: prefix, now ms,
-- offer ends ms, texts during calls ('1' or '0'), how many waiting to look at, ahead of calls
-- only ('1': stop at the first waiting caller), then specialist, most texts at once, ... for
-- the line's active specialists.
local prefix, now, ends = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local during_calls, scan, ahead_only = ARGV[4], tonumber(ARGV[5]), ARGV[6]
local waiting, free, offers = KEYS[1], KEYS[2], KEYS[3]

-- Who could take one more text now, as accept_text.lua decides it, with a dashboard open
-- (only a dashboard shows a text offer) and no offer of any kind standing.
local candidates = {}
for i = 7, #ARGV, 2 do
  local s, most = ARGV[i], tonumber(ARGV[i + 1])
  local card = prefix .. 'specialist:' .. s
  local held = redis.call('SCARD', prefix .. 'texts:' .. s)
  local fields = redis.call('HMGET', card, 'status', 'offer', 'text_offer', 'ready', 'text_at')
  local status = fields[1]
  local eligible = status and not fields[2] and not fields[3] and held < most
    and redis.call('SISMEMBER', prefix .. 'present', s) == 1
    and redis.call('SISMEMBER', prefix .. 'signing_off', s) == 0
    and redis.call('ZSCORE', prefix .. 'seen', s)
  if eligible then
    local ready = redis.call('ZSCORE', free, s)
    if status == 'on_call' then
      eligible = during_calls == '1'
    elseif status ~= 'texting' then
      eligible = ready ~= false and tonumber(ready) <= now
    end
    if eligible then
      local idle = math.max(tonumber(fields[4] or '0') or 0, tonumber(fields[5] or '0') or 0)
      table.insert(candidates, {id = s, held = held, idle = idle, ready = ready or ''})
    end
  end
end
if #candidates == 0 then return nil end
-- Fewest open texts first, then the one idle longest.
table.sort(candidates, function(a, b)
  if a.held ~= b.held then return a.held < b.held end
  if a.idle ~= b.idle then return a.idle < b.idle end
  return a.id < b.id
end)

local speakers = {}
local function speaking(language)
  local list = speakers[language]
  if list == nil then
    list = {}
    for _, c in ipairs(candidates) do
      if redis.call('SISMEMBER', prefix .. 'speaks:' .. language, c.id) == 1 then
        table.insert(list, c)
      end
    end
    speakers[language] = list
  end
  return list
end

local function offer(contact, c)
  local key = prefix .. 'text_offer:' .. contact
  redis.call('HSET', key, 'specialist', c.id, 'ready', c.ready)
  redis.call('ZADD', offers, ends, contact)
  redis.call('HSET', prefix .. 'contact:' .. contact, 'offered_to', c.id)
  redis.call('HSET', prefix .. 'specialist:' .. c.id, 'text_offer', contact)
  -- Off the phone rota while the offer stands: never a call and a text offered at once.
  redis.call('ZREM', free, c.id)
  return {tonumber(contact), tonumber(c.id)}
end

for _, contact in ipairs(redis.call('ZRANGE', waiting, 0, scan - 1)) do
  local details = redis.call('HMGET', prefix .. 'contact:' .. contact, 'language', 'offered_to')
  local language = details[1]
  if language and string.sub(language, 1, 4) == 'sms:' then
    if not details[2] then
      local passed = prefix .. 'text_passed:' .. contact
      for _, c in ipairs(speaking(string.sub(language, 5))) do
        local until_ms = redis.call('ZSCORE', passed, c.id)
        if not until_ms or tonumber(until_ms) <= now then return offer(contact, c) end
      end
    end
  elseif language and ahead_only == '1' then
    break
  end
end
return nil
