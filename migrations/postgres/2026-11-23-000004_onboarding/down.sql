DROP TABLE programme_applications;
DROP TABLE mail_outbox;
DROP TABLE activation_links;
ALTER TABLE organizations DROP COLUMN programme_open;
