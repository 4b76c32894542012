-- Settle one specialist's part in an offer: 'accept', 'decline' (missed: goes on break),
-- 'release' (not their fault: back to free with their place), 'release_all' (the lease ran out:
-- whoever was rung missed it) or 'withdraw' (the caller left).
-- KEYS: waiting, offered, free, leases, rotation. ARGV: prefix, contact, specialist, how, now ms.
local prefix, contact, specialist, how, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local waiting, offered, free, leases = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local offer = prefix .. 'offer:' .. contact
if redis.call('HEXISTS', offer, 'specialists') == 0 then return {0, 0} end
local winner = redis.call('HGET', offer, 'winner')
local list = {}
for s in string.gmatch(redis.call('HGET', offer, 'specialists'), '[^,]+') do table.insert(list, s) end
local function restore(s)
  local ready = redis.call('HGET', offer, 'ready:' .. s) or now
  redis.call('ZADD', free, ready, s)
  redis.call('HDEL', prefix .. 'specialist:' .. s, 'offer')
end
local function miss(s)
  redis.call('HSET', prefix .. 'specialist:' .. s, 'status', 'break', 'reason', 'missed_offer')
  redis.call('HDEL', prefix .. 'specialist:' .. s, 'offer')
end
local function requeue()
  local score = redis.call('ZSCORE', offered, contact)
  redis.call('ZREM', offered, contact)
  redis.call('ZREM', leases, contact)
  redis.call('DEL', offer)
  if score and redis.call('EXISTS', prefix .. 'contact:' .. contact) == 1 then
    redis.call('ZADD', waiting, score, contact)
    return 1
  end
  return 0
end
if how == 'accept' then
  if winner ~= '' or not redis.call('HGET', offer, 'ready:' .. specialist) then return {0, 0} end
  redis.call('HSET', offer, 'winner', specialist)
  -- Watched until the caller reaches the conference, in case the job moving them is lost.
  redis.call('ZADD', prefix .. 'accepted', now, contact)
  redis.call('ZREM', offered, contact)
  redis.call('ZREM', leases, contact)
  redis.call('HSET', prefix .. 'specialist:' .. specialist, 'status', 'on_call', 'contact', contact)
  redis.call('HDEL', prefix .. 'specialist:' .. specialist, 'offer')
  local others = {1, 0}
  for _, s in ipairs(list) do
    if s ~= specialist then restore(s); table.insert(others, s) end
  end
  return others
end
if winner ~= '' then return {0, 0} end
if how == 'withdraw' then
  local others = {0, 0}
  for _, s in ipairs(list) do restore(s); table.insert(others, s) end
  redis.call('ZREM', offered, contact)
  redis.call('ZREM', leases, contact)
  redis.call('DEL', offer)
  return others
end
if how == 'release_all' then
  -- A specialist whose phone was rung did not answer in time: on break, never back to free.
  -- One never rung (the worker placing the call died first) keeps their place.
  local missed = {0, 0}
  for _, s in ipairs(list) do
    if redis.call('HEXISTS', offer, 'leg:' .. s) == 1 then
      miss(s)
      table.insert(missed, s)
    else
      restore(s)
    end
  end
  missed[2] = requeue()
  return missed
end
local remaining = {}
for _, s in ipairs(list) do if s ~= specialist then table.insert(remaining, s) end end
if #remaining == #list then return {0, 0} end
if how == 'release' then restore(specialist) else miss(specialist) end
redis.call('HDEL', offer, 'ready:' .. specialist, 'leg:' .. specialist)
if #remaining > 0 then
  redis.call('HSET', offer, 'specialists', table.concat(remaining, ','))
  return {0, 0}
end
return {0, requeue()}
