-- relay_wrk.lua - signed pulls for wrk (tests/bench/relay_wrk.sh).
-- wrk -s relay_wrk.lua URL -- PATH DEVICE FILE: each request is GET PATH
-- with the next pre-made signature of FILE ("TIME NONCE SIGNATURE" lines,
-- made by tests/tools/relay_pusher sign); thread k of n takes lines
-- k, k+n, ...  A nonce is never sent twice: when a thread runs out it
-- sends unsigned requests, which the relay refuses (counted as non-2xx).
local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	path, device = args[1], args[2]
	lines = {}
	local n, k = 0, 0
	for line in io.lines(args[3]) do
		if n % args[4] == tid then
			k = k + 1
			lines[k] = line
		end
		n = n + 1
	end
	i = 0
end

function request()
	i = i + 1
	local l = lines[i]
	if l == nil then
		return wrk.format("GET", path)
	end
	local t, nonce, sig = l:match("(%S+) (%S+) (%S+)")
	return wrk.format("GET", path, {
		["Hearth-Device"] = device, ["Hearth-Time"] = t,
		["Hearth-Nonce"] = nonce, ["Hearth-Signature"] = sig })
end
