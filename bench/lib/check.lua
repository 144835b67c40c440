-- wrk script for bench/run and bench/soak: sets method, body and headers, optionally makes every
-- request unique, checks every response, and prints one machine-readable line at the end.
--
-- Arguments (after wrk's `--`):
--   1: method (GET, POST)
--   2: a file holding the request body, or "-" for none
--   3: the expected status: 200 (a good answer also has no "errors" in its body), 304, or "any"
--      (any complete HTTP response counts as good: the hostile mix of bench/soak)
--   4...: request headers, each "Name: value"
-- Environment:
--   BENCH_UNIQUE: when set, every occurrence of __N__ in the body (and in the path) is replaced
--     by "<BENCH_UNIQUE>-<thread>-<counter>", so no two requests carry the same text. Read at
--     load time, because wrk decides once, before init, whether the script builds each request
--     itself (a `request` function) or sends one prebuilt request.
--   BENCH_MIX: a file of requests, one a line: METHOD<tab>PATH<tab>BODY-FILE or -[<tab>Name: value]...
--     Each thread cycles through them (bench/soak's mixes); it overrides the method, body and URL
--     path given above, and a line's headers are added to those given above. A request whose
--     body holds __N__ has it replaced by "<thread>-<counter>" each time it is sent, so that it
--     is never answered from a cache.
--
-- Output (from `done`), one line each:
--   BENCH requests=… duration_us=… good=… bad=… connect=… read=… write=… timeout=… p50_us=… p99_us=… max_us=…
--   BENCH_STATUS <status>=<count> … (every status seen)
--   BENCH_FIRST_BAD <status> <first 300 bytes of the body>   (only when some response was bad)

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path)
  local s = f:read("*a")
  f:close()
  return s
end

local unique = os.getenv("BENCH_UNIQUE")
local mix_file = os.getenv("BENCH_MIX")

function init(args)
  local method = args[1]
  local body_file = args[2]
  expect = args[3]
  for i = 4, #args do
    local k, v = args[i]:match("^([^:]+):%s*(.*)$")
    assert(k, "a header must read 'Name: value', not " .. args[i])
    wrk.headers[k] = v
  end
  wrk.method = method
  if body_file ~= "-" then
    wrk.body = read_file(body_file)
  end
  good, bad, n = 0, 0, 0
  statuses = {}
  first_bad = ""
  if mix_file then
    -- Every request of the mix is built once, here; `request` only picks the next one.
    mix = {}
    for line in io.lines(mix_file) do
      local fields = {}
      for f in (line .. "\t"):gmatch("([^\t]*)\t") do
        table.insert(fields, f)
      end
      local headers = {}
      for k, v in pairs(wrk.headers) do
        headers[k] = v
      end
      for i = 4, #fields do
        local k, v = fields[i]:match("^([^:]+):%s*(.*)$")
        assert(k, "a header must read 'Name: value', not " .. fields[i])
        headers[k] = v
      end
      local body = nil
      if fields[3] ~= "-" then
        body = read_file(fields[3])
      end
      if body and body:find("__N__", 1, true) then
        -- Built each time it is sent (`request`), with a fresh token.
        table.insert(mix, { method = fields[1], path = fields[2], headers = headers, body = body })
      else
        table.insert(mix, wrk.format(fields[1], fields[2], headers, body))
      end
    end
    assert(#mix > 0, "the mix " .. mix_file .. " is empty")
    -- Threads start at different points of the mix, so that they do not send in lockstep.
    mix_i = ((tid - 1) * 7) % #mix
  end
end

if mix_file then
  function request()
    mix_i = mix_i % #mix + 1
    local r = mix[mix_i]
    if type(r) == "table" then
      n = n + 1
      return wrk.format(r.method, r.path, r.headers, (r.body:gsub("__N__", tid .. "-" .. n)))
    end
    return r
  end
elseif unique then
  function request()
    n = n + 1
    local token = unique .. "-" .. tid .. "-" .. n
    local body = wrk.body and wrk.body:gsub("__N__", token) or nil
    local path = wrk.path:gsub("__N__", token)
    return wrk.format(nil, path, nil, body)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local ok
  if expect == "any" then
    ok = true
  elseif expect == "200" then
    ok = status == 200 and not (body and body:find('"errors"', 1, true))
  else
    ok = status == tonumber(expect)
  end
  if ok then
    good = good + 1
  else
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. (body or ""):sub(1, 300):gsub("[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local good, bad, first = 0, 0, ""
  local statuses = {}
  for _, t in ipairs(threads) do
    good = good + t:get("good")
    bad = bad + t:get("bad")
    if first == "" then first = t:get("first_bad") end
    -- thread:get copies a table across Lua states.
    for s, c in pairs(t:get("statuses")) do
      statuses[s] = (statuses[s] or 0) + c
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d good=%d bad=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, good, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
  local parts = {}
  for s, c in pairs(statuses) do
    table.insert(parts, s .. "=" .. c)
  end
  table.sort(parts)
  io.write("BENCH_STATUS " .. table.concat(parts, " ") .. "\n")
  if first ~= "" then
    io.write("BENCH_FIRST_BAD " .. first .. "\n")
  end
end
