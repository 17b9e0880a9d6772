DROP TABLE downloads;
DROP TABLE deliveries;
