"""Getting images into a library: scanning folders, decoding, the indexing job. No Qt."""
