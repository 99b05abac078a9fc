-- Tokens an API client got before its secret was rotated stop working (their iat is earlier).
ALTER TABLE api_clients ADD COLUMN secret_rotated_at TIMESTAMP;
