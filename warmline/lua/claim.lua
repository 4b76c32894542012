-- Pair the first waiting contact with free specialist(s) who speak its language.
-- KEYS: waiting, offered, free, leases, rotation. ARGV: prefix, now ms, lease ms, ring all,
-- how many waiting contacts to look through, rotate (round robin).
local prefix, now, lease, ring_all, scan, rotate = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local waiting, offered, free, leases, rotation = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local ready = redis.call('ZRANGEBYSCORE', free, '-inf', now)
if #ready == 0 then return nil end
if rotate == '1' then
  local turn = {}
  for _, s in ipairs(ready) do turn[s] = tonumber(redis.call('ZSCORE', rotation, s) or '0') end
  table.sort(ready, function(a, b) if turn[a] == turn[b] then return a < b end return turn[a] < turn[b] end)
end
local contacts = redis.call('ZRANGE', waiting, 0, scan - 1, 'WITHSCORES')
for i = 1, #contacts, 2 do
  local contact, score = contacts[i], contacts[i + 1]
  local language = redis.call('HGET', prefix .. 'contact:' .. contact, 'language') or 'en'
  local chosen = {}
  -- Text conversations wait in the same line under 'sms:<code>'; no phone speaks that.
  local ready_for_it = ready
  if string.sub(language, 1, 4) == 'sms:' then ready_for_it = {} end
  for _, s in ipairs(ready_for_it) do
    if redis.call('SISMEMBER', prefix .. 'speaks:' .. language, s) == 1 then
      table.insert(chosen, s)
      if ring_all ~= '1' then break end
    end
  end
  if #chosen > 0 then
    redis.call('ZREM', waiting, contact)
    redis.call('ZADD', offered, score, contact)
    redis.call('ZADD', leases, tonumber(now) + tonumber(lease), contact)
    local offer = prefix .. 'offer:' .. contact
    redis.call('DEL', offer)
    for _, s in ipairs(chosen) do
      redis.call('HSET', offer, 'ready:' .. s, redis.call('ZSCORE', free, s))
      redis.call('ZREM', free, s)
      redis.call('ZADD', rotation, redis.call('INCR', prefix .. 'turns'), s)
      redis.call('HSET', prefix .. 'specialist:' .. s, 'offer', contact)
    end
    redis.call('HSET', offer, 'specialists', table.concat(chosen, ','), 'winner', '')
    local result = {contact}
    for _, s in ipairs(chosen) do table.insert(result, s) end
    return result
  end
end
return nil
