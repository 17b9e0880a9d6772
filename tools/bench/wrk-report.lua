-- wrk script of the API load test (tools/bench/api.sh).
--
-- With HAP_BENCH_READS naming a file of `<application id> <bearer token>`
-- lines, each request reads the next application of the file with its token,
-- round robin. Without it, wrk requests the URL given on its command line.
-- Either way, the summary is one line of `key value` pairs, latencies in ms.

local requests = {}
local next_index = 0

local reads = os.getenv("HAP_BENCH_READS")
if reads and reads ~= "" then
  function init(args)
    for line in io.lines(reads) do
      local id, token = line:match("^(%S+) (%S+)$")
      if id then
        requests[#requests + 1] = wrk.format("GET", "/v1/applications/" .. id, {
          ["Authorization"] = "Bearer " .. token,
        })
      end
    end
    if #requests == 0 then
      error("HAP_BENCH_READS file " .. reads .. " has no `<id> <token>` lines")
    end
  end

  function request()
    next_index = next_index % #requests + 1
    return requests[next_index]
  end
end

function done(summary, latency, _)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    "requests %d seconds %.2f rate %.0f p50 %.2f p90 %.2f p99 %.2f max %.2f non2xx %d socket_errors %d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, socket_errors))
end
