-- wrk script: POSTs one JSON-RPC call over and over (HTTP keep-alive) and
-- prints machine-readable results.
--
--   wrk -t2 -c64 -d10s --latency -s scripts/bench/jsonrpc.lua http://127.0.0.1:9944 -- ect_balance '["5Grw…"]'
--   RPC_METHOD=state_getStorage RPC_PARAMS='["0x26aa…"]' wrk … -s scripts/bench/jsonrpc.lua URL
--
-- The method and its params (a JSON array, sent verbatim) come from the
-- script arguments after `--`, else from RPC_METHOD / RPC_PARAMS.
-- RPC_BATCH=N (or a third argument) sends a batch of N such calls (ids 1..N)
-- per request instead: requests/s are then batches/s.
--
-- RPC_CHECK=1 also reads every response body and counts JSON-RPC errors
-- (bodies holding `"error":`) and HTTP statuses other than 200. It makes wrk
-- parse every body in Lua, which costs client CPU: leave it off (the default)
-- when measuring throughput and check the answers separately, e.g. with curl.
--
-- done() prints one `key=value` per line (latencies in milliseconds):
--   requests, duration_s, rps, p50_ms, p90_ms, p99_ms, max_ms, mean_ms,
--   non2xx (HTTP status >= 400, as wrk counts it), socket_errors (connect +
--   read + write + timeout), and with RPC_CHECK=1 also checked, not200,
--   rpc_errors and first_error (the first error body seen, abbreviated).

local method = os.getenv("RPC_METHOD")
local params = os.getenv("RPC_PARAMS") or "[]"
local batch = tonumber(os.getenv("RPC_BATCH") or "0") or 0
local check = os.getenv("RPC_CHECK") == "1"

local function set_body()
  if not method or method == "" then
    error("jsonrpc.lua: no method (pass `-- METHOD [PARAMS]` or set RPC_METHOD)")
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local call = function(id)
    return '{"jsonrpc":"2.0","id":' .. id .. ',"method":"' .. method .. '","params":' .. params .. '}'
  end
  if batch > 0 then
    local calls = {}
    for id = 1, batch do calls[id] = call(id) end
    wrk.body = '[' .. table.concat(calls, ',') .. ']'
  else
    wrk.body = call(1)
  end
end

-- Runs in each thread's Lua state before its request is built.
function init(args)
  if args[1] then method = args[1] end
  if args[2] then params = args[2] end
  if args[3] then batch = tonumber(args[3]) or 0 end
  set_body()
end

-- The threads, kept by the main state so that done() can sum their counters.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

if check then
  checked, not200, rpc_errors, first_error = 0, 0, 0, ""
  function response(status, headers, body)
    checked = checked + 1
    if status ~= 200 then
      not200 = not200 + 1
    end
    -- A JSON-RPC success holds `"result":`, a failure `"error":`.
    if body and string.find(body, '"error":', 1, true) then
      rpc_errors = rpc_errors + 1
      if first_error == "" then first_error = string.sub(body, 1, 200) end
    elseif status == 200 and not (body and string.find(body, '"result":', 1, true)) then
      rpc_errors = rpc_errors + 1
      if first_error == "" then first_error = string.sub(body or "", 1, 200) end
    end
  end
end

function done(summary, latency, requests)
  local ms = function(us) return string.format("%.3f", us / 1000) end
  local secs = summary.duration / 1e6
  local e = summary.errors
  print("requests=" .. summary.requests)
  print(string.format("duration_s=%.3f", secs))
  print(string.format("rps=%.1f", summary.requests / secs))
  print("p50_ms=" .. ms(latency:percentile(50)))
  print("p90_ms=" .. ms(latency:percentile(90)))
  print("p99_ms=" .. ms(latency:percentile(99)))
  print("max_ms=" .. ms(latency.max))
  print("mean_ms=" .. ms(latency.mean))
  print("non2xx=" .. e.status)
  print("socket_errors=" .. (e.connect + e.read + e.write + e.timeout))
  print(string.format("socket_errors_detail=connect %d, read %d, write %d, timeout %d",
    e.connect, e.read, e.write, e.timeout))
  if check then
    local c, n, r, first = 0, 0, 0, ""
    for _, t in ipairs(threads) do
      c = c + (t:get("checked") or 0)
      n = n + (t:get("not200") or 0)
      r = r + (t:get("rpc_errors") or 0)
      if first == "" then first = t:get("first_error") or "" end
    end
    print("checked=" .. c)
    print("not200=" .. n)
    print("rpc_errors=" .. r)
    print("first_error=" .. string.gsub(first, "[\r\n]", " "))
  end
end
