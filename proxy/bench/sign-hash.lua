-- wrk script: POST /sign/hash with a fixed digest and the Bearer API key.
wrk.method = "POST"
wrk.path = "/sign/hash"
wrk.body = '{"digest_hex":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("SIGNING_PROXY_API_KEY") or "")

-- A summary line the runner parses: non-2xx answers and socket errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
