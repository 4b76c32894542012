-- Admit one live event stream on a line, within the line's cap and the person's.
-- KEYS[1]: the line's open streams, a sorted set of "<person>:<token>" scored by expiry (ms).
-- ARGV: now (ms), this stream's expiry (ms), person id, token, person's cap, line's cap.
-- Returns "ok", or which cap refused it: "person" or "line". A stream whose process died
-- without closing it stops counting at its expiry.
local now, expires = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZRANGE', KEYS[1], 0, -1)
if #open >= tonumber(ARGV[6]) then
  return 'line'
end
local prefix = ARGV[3] .. ':'
local mine = 0
for _, member in ipairs(open) do
  if string.sub(member, 1, #prefix) == prefix then
    mine = mine + 1
  end
end
if mine >= tonumber(ARGV[5]) then
  return 'person'
end
redis.call('ZADD', KEYS[1], expires, prefix .. ARGV[4])
redis.call('PEXPIREAT', KEYS[1], expires)
return 'ok'
