-- POST /v1/sessions with the right password. env: EMAIL, PASSWORD.
-- Non-200 answers show in wrk's summary as non-2xx responses.
local body = '{"email":"' .. os.getenv("EMAIL") .. '","password":"' .. os.getenv("PASSWORD") .. '"}'
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
