-- wrk script: GET /api/v1/contacts/{id} for random ids from a file. Usage: wrk ... -s get.lua URL -- IDS TOKEN
local ids = {}
local token = ""

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  token = args[2]
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/contacts/" .. id, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("get: %.0f requests/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, %d requests, %d errors\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, errors))
end
