-- The load test's script for wrk (its Lua API: /usr/share/doc/wrk/SCRIPTING). Every response is checked: status 200,
-- the Content-Encoding expected, and the body exactly the expected bytes (a file the test wrote: the answer it checked
-- itself). The first request of each connection waits warm_ms, so that all the connections are open and accepted
-- before any request is timed: wrk corrects its percentiles for coordinated omission (each sample longer than the
-- mean interval between a connection's requests adds the samples a constant rate would have met), which turns the
-- server accepting 200 connections at once (up to 2 s on a loaded 2-core machine) into the whole p99 otherwise.
-- done() prints one JSON line: wrk's counts, latency percentiles in microseconds, the responses checked and found
-- wrong, summed over wrk's threads.
-- Usage: wrk -t1 -c<connections> ... --script test/load/wrk-check.lua <url> -- <expected body file> <content-encoding>
--          <warm_ms> <connections>

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  expected_body = file:read("*a")
  file:close()
  expected_coding = args[2]
  warm_ms = tonumber(args[3])
  held = tonumber(args[4])
  wrk.headers["Accept-Encoding"] = expected_coding
  checked = 0
  wrong_status = 0
  wrong_coding = 0
  wrong_body = 0
end

-- wrk asks for a delay before every request once this is defined: the first of each connection (one thread: the
-- first `held` asks) waits warm_ms, every later one none.
function delay()
  if held > 0 then
    held = held - 1
    return warm_ms
  end
  return 0
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    wrong_status = wrong_status + 1
  end
  local coding = headers["Content-Encoding"] or headers["content-encoding"]
  if coding ~= expected_coding then
    wrong_coding = wrong_coding + 1
  end
  if body ~= expected_body then
    wrong_body = wrong_body + 1
  end
end

function done(summary, latency, requests)
  local sums = { checked = 0, wrong_status = 0, wrong_coding = 0, wrong_body = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do
      sums[name] = sums[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},' ..
      '"checked":%d,"wrong_status":%d,"wrong_coding":%d,"wrong_body":%d}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
    latency.mean, sums.checked, sums.wrong_status, sums.wrong_coding, sums.wrong_body))
end
