DROP TABLE version_attachments;
DROP TABLE attachments;
