DROP TABLE linkage_runs;
