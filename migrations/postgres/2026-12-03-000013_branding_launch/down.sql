DROP TABLE services;
DROP TABLE brand_logos;
DROP TABLE brands;
