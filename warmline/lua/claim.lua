-- Pair the first waiting caller with free specialist(s) who speak their language; a practice
-- call with the trainee it is for.
-- KEYS: waiting, offered, free, leases, rotation. ARGV: prefix, now ms, lease ms, ring all,
-- how many waiting callers to look through, rotate (round robin), ms each call placed
-- ahead may wait in Twilio's queue.
local prefix, now, lease, ring_all, scan, rotate = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local queued_call = tonumber(ARGV[7])
local waiting, offered, free, leases, rotation = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local ready = redis.call('ZRANGEBYSCORE', free, '-inf', now)
if #ready == 0 then return nil end
if rotate == '1' then
  local turn = {}
  for _, s in ipairs(ready) do turn[s] = tonumber(redis.call('ZSCORE', rotation, s) or '0') end
  table.sort(ready, function(a, b) if turn[a] == turn[b] then return a < b end return turn[a] < turn[b] end)
end

-- Whether a specialist speaks the caller's language and every one they may still choose.
local function speaks_all(s, language, needs)
  if redis.call('SISMEMBER', prefix .. 'speaks:' .. language, s) == 0 then return false end
  for other in string.gmatch(needs, '[^,]+') do
    if redis.call('SISMEMBER', prefix .. 'speaks:' .. other, s) == 0 then return false end
  end
  return true
end

-- A specialist being offered a text on screen is offered no call until that offer ends.
local function offered_a_text(s)
  return redis.call('HEXISTS', prefix .. 'specialist:' .. s, 'text_offer') == 1
end

-- A specialist in training takes practice calls only, each made for one of them.
local function in_training(s)
  return redis.call('HGET', prefix .. 'specialist:' .. s, 'training') == '1'
end

-- The trainee a practice call is for, if they are free for it now.
local function free_trainee(trainee)
  for _, s in ipairs(ready) do
    if s == trainee then
      if in_training(s) and not offered_a_text(s) then return {s} end
      return {}
    end
  end
  return {}
end

-- Who is free for each language (with the languages a caller may still choose, `needs`), in
-- offer order: worked out once per language, so a long line of callers nobody free speaks
-- for costs one pass over the specialists, not one each.
local speakers = {}
local function free_speakers(language, needs)
  local wanted = language .. '|' .. needs
  local list = speakers[wanted]
  if list == nil then
    list = {}
    for _, s in ipairs(ready) do
      if speaks_all(s, language, needs) and not offered_a_text(s) and not in_training(s) then
        table.insert(list, s)
        if ring_all ~= '1' then break end
      end
    end
    speakers[wanted] = list
  end
  return list
end

-- How many calls this line's open offers have placed: each may still wait in Twilio's queue
-- of calls, placed a few a second, ahead of the ones about to be placed.
local function legs_ringing()
  local count = 0
  for _, other in ipairs(redis.call('ZRANGE', offered, 0, -1)) do
    local list = redis.call('HGET', prefix .. 'offer:' .. other, 'specialists') or ''
    for _ in string.gmatch(list, '[^,]+') do count = count + 1 end
  end
  return count
end

local function offer(contact, score, chosen)
  local queued = (legs_ringing() + #chosen) * queued_call
  redis.call('ZREM', waiting, contact)
  redis.call('ZADD', offered, score, contact)
  redis.call('ZADD', leases, tonumber(now) + tonumber(lease) + queued, contact)
  local key = prefix .. 'offer:' .. contact
  redis.call('DEL', key)
  for _, s in ipairs(chosen) do
    redis.call('HSET', key, 'ready:' .. s, redis.call('ZSCORE', free, s))
    redis.call('ZREM', free, s)
    redis.call('ZADD', rotation, redis.call('INCR', prefix .. 'turns'), s)
    redis.call('HSET', prefix .. 'specialist:' .. s, 'offer', contact)
  end
  redis.call('HSET', key, 'specialists', table.concat(chosen, ','), 'winner', '')
  local result = {contact}
  for _, s in ipairs(chosen) do table.insert(result, s) end
  return result
end

-- Text conversations wait in the same line under 'sms:<code>'; they are skipped without
-- counting against the callers looked through.
local examined, offset, page = 0, 0, 500
while examined < scan do
  local contacts = redis.call('ZRANGE', waiting, offset, offset + page - 1, 'WITHSCORES')
  if #contacts == 0 then break end
  for i = 1, #contacts, 2 do
    local contact, score = contacts[i], contacts[i + 1]
    local details = redis.call('HMGET', prefix .. 'contact:' .. contact, 'language', 'needs', 'practice_for')
    local language = details[1] or 'en'
    if string.sub(language, 1, 4) ~= 'sms:' then
      local chosen
      if details[3] then chosen = free_trainee(details[3]) else chosen = free_speakers(language, details[2] or '') end
      if #chosen > 0 then return offer(contact, score, chosen) end
      examined = examined + 1
      if examined >= scan then break end
    end
  end
  offset = offset + page
end
return nil
