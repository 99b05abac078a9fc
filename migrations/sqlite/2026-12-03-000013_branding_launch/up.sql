-- Branding: an organisation's own brand (its sign-in page's host name is
-- unique across the tree), and its logo's bytes, kept apart so brand reads
-- never load them. The brand in force for an organisation is the nearest one
-- on its path: a primary-key lookup of the path's ids.
CREATE TABLE brands (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    display_name    TEXT NOT NULL,
    primary_color   TEXT,
    accent_color    TEXT,
    support_email   TEXT,
    support_url     TEXT,
    portal_domain   TEXT,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT brands_portal_domain_key UNIQUE (portal_domain)
);

CREATE TABLE brand_logos (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    content_type    TEXT NOT NULL,
    digest          TEXT NOT NULL,
    bytes           BLOB NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- The service catalogue the provider keeps: instances name a service by its
-- key and one of its regions (comma-separated, sorted).
CREATE TABLE services (
    id          TEXT PRIMARY KEY,
    service_key TEXT NOT NULL,
    name        TEXT NOT NULL,
    launch_url  TEXT NOT NULL,
    regions     TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CONSTRAINT services_key_key UNIQUE (service_key)
);

-- Existing instances keep working: every service name they use becomes a
-- catalogue entry named after itself, with the regions seen, and a launch URL
-- on the reserved `.invalid` domain until an admin sets the real one.
INSERT INTO services (id, service_key, name, launch_url, regions, version, created_at, updated_at)
SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-8' || substr(h, 18, 3) || '-' || substr(h, 21, 12)),
       service, service, 'https://launch.invalid/' || service, regions, 1,
       strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM (
    SELECT hex(randomblob(16)) AS h, service, group_concat(region, ',') AS regions
    FROM (SELECT DISTINCT service, region FROM service_instances ORDER BY service, region)
    GROUP BY service
);
