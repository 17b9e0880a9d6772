DROP TABLE project_master_keys;
