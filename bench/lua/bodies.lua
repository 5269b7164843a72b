-- POST one pre-generated JSON body per request, cycling through a file of bodies (one a line).
-- Arguments after `--`: bodies file, bearer token, and an optional key prefix: when given,
-- every "@KEY@" in a body becomes <prefix>-<thread>-<n>, unique per request (idempotency keys).
-- Counts non-200 answers, GraphQL errors and non-empty userErrors; done() prints one JSON line.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  prefix = args[3] or ""
  index = (id * 7919) % #bodies
  sent = 0
  status_errors, graphql_errors, user_errors = 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
end

function request()
  index = index % #bodies + 1
  sent = sent + 1
  local body = bodies[index]
  if prefix ~= "" then
    body = body:gsub("@KEY@", prefix .. "-" .. id .. "-" .. sent)
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    status_errors = status_errors + 1
  elseif body:find('"errors":', 1, true) then
    graphql_errors = graphql_errors + 1
  elseif body:find('"userErrors":[{', 1, true) then
    user_errors = user_errors + 1
  end
end

function done(summary, latency, requests)
  local counts = {status_errors = 0, graphql_errors = 0, user_errors = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"status_errors":%d,"graphql_errors":%d,"user_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    counts.status_errors, counts.graphql_errors, counts.user_errors))
end
