-- GET each of PATHS in turn (the harness fills them in), with the headers given by -H;
-- TOKENS (may be empty) are bearer tokens used in turn (each has its own rate limit).
local paths = PATHS
local tokens = TOKENS

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0
request = function()
  counter = counter + 1
  if #tokens > 0 then
    wrk.headers["Authorization"] = "Bearer " .. tokens[(counter + (thread_id or 0)) % #tokens + 1]
  end
  return wrk.format("GET", paths[counter % #paths + 1])
end
