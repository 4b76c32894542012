-- The texter's sealed number for a reply; if Redis lost it, a mark that replies wait for the
-- texter's next text, which seals the number again and sends them. One step, so a text that
-- seals the number meanwhile is never missed.
-- KEYS: conversation.
local to = redis.call('HGET', KEYS[1], 'to')
if to then return to end
redis.call('HSET', KEYS[1], 'unaddressed', 1)
return false
