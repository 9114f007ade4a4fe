-- POST a body whose submission key is fresh for each request: BODY_PREFIX .. key .. BODY_SUFFIX.
-- The harness fills the placeholders; TOKENS (may be empty) are bearer tokens used in turn.
local body_prefix = BODY_PREFIX
local body_suffix = BODY_SUFFIX
local content_type = CONTENT_TYPE
local run_tag = RUN_TAG
local tokens = TOKENS

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0
init = function(args)
  math.randomseed(os.time() + (thread_id or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = content_type
end

request = function()
  counter = counter + 1
  -- run tag, thread, counter and a random part: unique across threads, runs and reruns
  local key = string.format("%s%02d%08d%06d", run_tag, thread_id or 0, counter,
                            math.random(0, 999999))
  if #tokens > 0 then
    wrk.headers["Authorization"] = "Bearer " .. tokens[(counter + (thread_id or 0)) % #tokens + 1]
  end
  return wrk.format(nil, nil, nil, body_prefix .. key .. body_suffix)
end
